/**
 * Translators for the keys of one process-compose process. Each one maps what
 * steward can express and notes, on the key's line, what it cannot.
 */
import { constants } from 'node:os';
import type { DependencyCondition } from '../config/model';
import { type ImportedProbe, type ImportedWorker, escapeRegExp, isRecord, secondsToDuration } from './model';
import type { YamlEntry } from './yamlSource';

export interface FieldContext {
  worker: ImportedWorker;
  field: YamlEntry;
  /** Records a note on this key's line (or on `line`, deeper inside its value); the key name is prefixed. */
  note(message: string, line?: number): void;
  /** The entries of a mapping inside this field's value, with their lines. */
  entriesOf(node: YamlEntry['node']): YamlEntry[] | undefined;
}

type Translator = (context: FieldContext) => void;

/** process-compose's probe defaults (as Kubernetes'), used to turn its thresholds into one overall timeout. */
const PROBE_DEFAULTS = { initialDelaySeconds: 0, periodSeconds: 10, failureThreshold: 3 };

const RESTART_POLICIES: Record<string, ImportedWorker['restart']> = {
  always: 'always',
  on_failure: 'on-failure',
  no: 'never',
};

const DEPENDENCY_CONDITIONS: Record<string, DependencyCondition> = {
  process_started: 'started',
  process_healthy: 'ready',
  process_log_ready: 'ready',
  process_completed_successfully: 'completed',
};

export const PROCESS_FIELDS: Record<string, Translator> = {
  command: ({ worker, field, note }) => {
    if (typeof field.value !== 'string' || field.value.trim() === '') return note('must be a non-empty string');
    worker.command = field.value.trim();
    if (worker.command.includes('{{')) note('uses {{ }} templates (vars), which steward does not expand');
  },
  working_dir: ({ worker, field, note }) => {
    if (typeof field.value === 'string') worker.cwd = field.value;
    else note('must be a string');
  },
  environment: ({ worker, field, note }) => {
    worker.env = { ...worker.env, ...environmentOf(field.value, note) };
  },
  replicas: ({ worker, field, note }) => {
    if (Number.isInteger(field.value) && (field.value as number) >= 1) worker.replicas = field.value as number;
    else note('must be a positive integer');
  },
  depends_on: translateDependsOn,
  readiness_probe: translateReadinessProbe,
  ready_log_line: ({ worker, field, note }) => {
    if (typeof field.value !== 'string') return note('must be a string');
    // A steward worker has one probe; the log line is what process-compose itself waits for first.
    if (worker.ready) note('replaces the readiness_probe (steward has one probe per worker)');
    worker.ready = { log: escapeRegExp(field.value) };
  },
  availability: translateAvailability,
  shutdown: translateShutdown,
  // `disabled: true` processes are skipped before their keys are translated.
  disabled: () => undefined,
};

/** process-compose's `environment` is a list of `KEY=value` strings; a mapping is accepted too. */
export function environmentOf(value: unknown, note: (message: string) => void): Record<string, string> {
  if (Array.isArray(value)) {
    const env: Record<string, string> = {};
    for (const item of value) {
      const text = String(item);
      const equals = text.indexOf('=');
      if (equals <= 0) note(`'${text}' is not KEY=value, not translated`);
      else env[text.slice(0, equals)] = text.slice(equals + 1);
    }
    return env;
  }
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, String(item ?? '')]));
  note('must be a list of KEY=value');
  return {};
}

function translateDependsOn({ worker, field, note, entriesOf }: FieldContext): void {
  const dependencies = entriesOf(field.node);
  if (!dependencies) return note('must be a mapping of process names');
  const dependsOn: Record<string, DependencyCondition> = {};
  for (const { key: name, value: spec, line } of dependencies) {
    const condition = isRecord(spec) && typeof spec.condition === 'string' ? spec.condition : 'process_started';
    dependsOn[name] = DEPENDENCY_CONDITIONS[condition] ?? 'started';
    if (!DEPENDENCY_CONDITIONS[condition]) {
      note(`${name}: condition ${condition} has no steward equivalent (steward waits for start, readiness or a successful exit); approximated as 'started'`, line);
    }
  }
  worker.dependsOn = dependsOn;
}

function translateReadinessProbe({ worker, field, note }: FieldContext): void {
  const probe = field.value;
  if (!isRecord(probe)) return note('must be a mapping');
  if (worker.ready) return note('not translated: ready_log_line is the probe (steward has one probe per worker)');
  const ready = probeKind(probe, note);
  if (!ready) return;
  const seconds =
    numberOr(probe.initial_delay_seconds, PROBE_DEFAULTS.initialDelaySeconds) +
    numberOr(probe.period_seconds, PROBE_DEFAULTS.periodSeconds) * numberOr(probe.failure_threshold, PROBE_DEFAULTS.failureThreshold);
  const interval = typeof probe.period_seconds === 'number' ? { interval: secondsToDuration(probe.period_seconds) } : {};
  worker.ready = { ...ready, timeout: secondsToDuration(seconds), ...interval };
  const dropped = ['timeout_seconds', 'success_threshold'].filter((key) => key in probe);
  if (dropped.length > 0) note(`${dropped.join(', ')} not translated (steward probes until ready or its overall timeout)`);
}

function probeKind(probe: Record<string, unknown>, note: (message: string) => void): ImportedProbe | undefined {
  const { http_get: http, exec } = probe;
  if (isRecord(http)) {
    const scheme = typeof http.scheme === 'string' ? http.scheme.toLowerCase() : 'http';
    const host = typeof http.host === 'string' ? http.host : '127.0.0.1';
    const path = typeof http.path === 'string' ? http.path : '/';
    const port = Number(http.port);
    if (!Number.isInteger(port) || port < 1 || port > 65_535) {
      note(`http_get needs a port from 1 to 65535 (got ${http.port === undefined ? 'none' : JSON.stringify(http.port)}); not translated`);
      return undefined;
    }
    return { http: `${scheme}://${host}:${port}${path.startsWith('/') ? '' : '/'}${path}` };
  }
  if (isRecord(exec) && typeof exec.command === 'string') {
    if (exec.working_dir !== undefined) note('exec.working_dir not translated (steward runs the probe in the worker cwd)');
    return { exec: exec.command };
  }
  note('needs http_get or exec.command; not translated');
  return undefined;
}

function translateAvailability({ worker, field, note }: FieldContext): void {
  const availability = field.value;
  if (!isRecord(availability)) return note('must be a mapping');
  for (const [key, value] of Object.entries(availability)) {
    const policy = RESTART_POLICIES[String(value)];
    if (key !== 'restart') {
      note(`${key} not translated`);
    } else if (value === 'exit_on_failure') {
      worker.restart = 'on-failure';
      note('restart: exit_on_failure has no steward equivalent (the master never exits because a worker failed); used on-failure');
    } else if (policy) {
      worker.restart = policy;
    } else {
      note(`restart: ${String(value)} is not a process-compose policy; not translated`);
    }
  }
}

function translateShutdown({ worker, field, note }: FieldContext): void {
  const shutdown = field.value;
  if (!isRecord(shutdown)) return note('must be a mapping');
  const stop: NonNullable<ImportedWorker['stop']> = {};
  for (const [key, value] of Object.entries(shutdown)) {
    const signal = key === 'signal' ? signalName(value) : undefined;
    if (signal) stop.signal = signal;
    else if (key === 'timeout_seconds' && typeof value === 'number') stop.timeout = secondsToDuration(value);
    else note(`${key}: ${String(value)} not translated`);
  }
  if (Object.keys(stop).length > 0) worker.stop = stop;
}

/** process-compose gives signals as numbers (15); steward by name (SIGTERM). */
function signalName(value: unknown): string | undefined {
  if (typeof value === 'number') return Object.entries(constants.signals).find(([, number]) => number === value)?.[0];
  if (typeof value !== 'string') return undefined;
  const name = value.toUpperCase().replace(/^(SIG)?/, 'SIG');
  return name in constants.signals ? name : undefined;
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}
