/**
 * THE key table of steward.yaml: every key, its value type, a doc string and
 * an example. The validator, the JSON Schema and the editor features
 * (completion, hover) all read this one table, so they cannot disagree.
 */

export type ValueType =
  | { kind: 'version' }
  | { kind: 'integer'; min: number; max?: number }
  | { kind: 'string'; format?: 'command' | 'directory' | 'url' | 'regex' }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'duration' }
  | { kind: 'signal' }
  | { kind: 'env' }
  | { kind: 'envFile' }
  | { kind: 'ports' }
  | { kind: 'dependsOn' }
  | { kind: 'tcpTarget' }
  | { kind: 'object'; keys: KeyTable; exactlyOneOf?: readonly string[] }
  | { kind: 'workers' };

export interface KeySpec {
  type: ValueType;
  /** One or two sentences, Markdown, shown on hover and in the JSON Schema. */
  doc: string;
  /** A YAML snippet showing the key in use. */
  example: string;
  required?: boolean;
}

export type KeyTable = Readonly<Record<string, KeySpec>>;

/** Keys starting with this are the user's own (notes, YAML anchors to reuse): accepted anywhere a fixed set of keys is, and ignored. */
export const EXTENSION_KEY_PREFIX = 'x-';
export const RESTART_POLICIES = ['always', 'on-failure', 'never'] as const;
export const DEPENDENCY_CONDITIONS = ['started', 'ready', 'completed'] as const;
export const WORKER_NAME_PATTERN = '^[a-z0-9][a-z0-9_-]*$';
export const ENV_NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_]*$';
export const PROBE_KINDS = ['tcp', 'http', 'log', 'exec'] as const;

const duration = { kind: 'duration' } as const;

export const READY_KEYS: KeyTable = {
  tcp: {
    type: { kind: 'tcpTarget' },
    doc: 'Ready once a TCP connection to this port (on 127.0.0.1) or `host:port` succeeds.',
    example: 'ready: { tcp: 5432 }',
  },
  http: {
    type: { kind: 'string', format: 'url' },
    doc: 'Ready once a GET of this http(s) URL answers with a 2xx or 3xx status.',
    example: 'ready: { http: "http://127.0.0.1:3000/health" }',
  },
  log: {
    type: { kind: 'string', format: 'regex' },
    doc: 'Ready once a line of the worker\'s output matches this JavaScript regular expression.',
    example: 'ready: { log: "listening on port \\\\d+" }',
  },
  exec: {
    type: { kind: 'string', format: 'command' },
    doc: 'Ready once this shell command, run in the worker\'s directory and environment, exits 0.',
    example: 'ready: { exec: "pg_isready -h 127.0.0.1" }',
  },
  timeout: {
    type: duration,
    doc: 'How long the worker may take to become ready before the start (or reload) fails: a duration with a unit (`500ms`, `5s`, `1m`, `1h`, `1m30s`; a bare number is refused). Default `30s`.',
    example: 'ready: { tcp: 3000, timeout: 10s }',
  },
  interval: {
    type: duration,
    doc: 'Pause between two probe attempts (tcp, http, exec). Default `100ms`.',
    example: 'ready: { http: "http://127.0.0.1:3000/", interval: 250ms }',
  },
};

export const STOP_KEYS: KeyTable = {
  signal: {
    type: { kind: 'signal' },
    doc: 'The signal sent to the worker\'s process group to stop it, with or without the `SIG` prefix. Default `SIGTERM`.',
    example: 'stop: { signal: SIGINT }',
  },
  timeout: {
    type: duration,
    doc: 'How long to wait after the stop signal before sending SIGKILL to the group: a duration with a unit (`500ms`, `5s`, `1m`). Default `5s`.',
    example: 'stop: { timeout: 10s }',
  },
};

export const WORKER_KEYS: KeyTable = {
  command: {
    type: { kind: 'string', format: 'command' },
    doc: 'The shell command line that runs the worker: plain words start the program itself, anything using shell syntax runs with `sh -c`.',
    example: 'command: node server.js',
    required: true,
  },
  cwd: {
    type: { kind: 'string', format: 'directory' },
    doc: 'The directory the command runs in, relative to steward.yaml. Default: the config file\'s directory.',
    example: 'cwd: api',
  },
  env: {
    type: { kind: 'env' },
    doc: 'Environment variables added to the master\'s environment for this worker. Values are strings.',
    example: 'env: { PORT: "3000", NODE_ENV: development }',
  },
  env_file: {
    type: { kind: 'envFile' },
    doc: 'A dotenv file (`NAME=value` lines, `#` comments, quoted values; no `${VAR}` expansion), or a list of them, relative to steward.yaml: their variables are added to the worker\'s environment — a later file wins over an earlier one, and `env` over every file. Read at every reload: a reload after editing the file restarts the workers whose environment changed.',
    example: 'env_file: .env',
  },
  ports: {
    type: { kind: 'ports' },
    doc: 'TCP ports the worker listens on; checked to be free before it starts, and unique across workers.',
    example: 'ports: [3000]',
  },
  depends_on: {
    type: { kind: 'dependsOn' },
    doc: 'Workers to start first: a list of names (wait until started), or a map of name to `started`, `ready` or `completed` (a one-shot such as a migration has exited 0; one that fails fails its dependents). `ready` on a worker without a `ready` probe waits only until it has started (and is warned about).',
    example: 'depends_on: { db: ready }',
  },
  ready: {
    type: { kind: 'object', keys: READY_KEYS, exactlyOneOf: PROBE_KINDS },
    doc: 'How to tell the worker is ready: exactly one of `tcp`, `http`, `log`, `exec`, plus optional `timeout` and `interval`. Without it a worker is ready as soon as it has started.',
    example: 'ready: { http: "http://127.0.0.1:3000/health", timeout: 10s }',
  },
  restart: {
    type: { kind: 'enum', values: RESTART_POLICIES },
    doc: 'When to restart the worker after it exits: `always`, `on-failure` (non-zero exit or signal), or `never`. Default `on-failure`.',
    example: 'restart: always',
  },
  stop: {
    type: { kind: 'object', keys: STOP_KEYS },
    doc: 'How to stop the worker: the `signal` to send and the `timeout` before SIGKILL.',
    example: 'stop: { signal: SIGTERM, timeout: 5s }',
  },
  replicas: {
    type: { kind: 'integer', min: 1 },
    doc: 'How many instances of the worker to run. Default `1`.',
    example: 'replicas: 2',
  },
};

export const ROOT_KEYS: KeyTable = {
  version: {
    type: { kind: 'version' },
    doc: 'The version of the steward.yaml format. Must be `1`.',
    example: 'version: 1',
    required: true,
  },
  workers: {
    type: { kind: 'workers' },
    doc: 'The workers to run: a map from worker name (lowercase letters, digits, `-`, `_`) to its definition.',
    example: 'workers:\n  api:\n    command: node server.js',
    required: true,
  },
};

/**
 * The keys allowed in the mapping at `path` (as the outline spells paths:
 * `[]` root, `['workers', NAME]` a worker, `['workers', NAME, 'ready']` …),
 * or undefined when that mapping has free-form keys (workers, env, depends_on).
 */
export function keysAt(path: readonly string[]): KeyTable | undefined {
  let table: KeyTable | undefined = ROOT_KEYS;
  for (let index = 0; index < path.length && table; index++) {
    const type: ValueType | undefined = specOf(table, path[index])?.type;
    if (type?.kind === 'workers' && index + 1 < path.length) {
      table = WORKER_KEYS;
      index++;
    } else {
      table = type?.kind === 'object' ? type.keys : undefined;
    }
  }
  return table;
}

/** The spec of the key at `path` (its last element is the key), for hover. */
export function keySpecAt(path: readonly string[]): KeySpec | undefined {
  const table = keysAt(path.slice(0, -1));
  return table && specOf(table, path[path.length - 1]);
}

/** The table's own entry for `key` (never an inherited Object property such as `valueOf`). */
export function specOf(table: KeyTable, key: string): KeySpec | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}
