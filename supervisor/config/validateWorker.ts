/**
 * The `workers` mapping → one draft per worker: its spec with defaults
 * filled in (usable only when the whole config has no error) and the ranges
 * the semantic checks point at.
 */
import { isMap, isScalar, type Node } from 'yaml';
import type { PortDeclaration } from './collections';
import { describeNode, type CheckContext } from './context';
import { PROBE_KINDS, WORKER_KEYS, WORKER_NAME_PATTERN } from './keys';
import { forEachPair, readMapping, valueOf, type Fields } from './mapping';
import { DEFAULTS, type Dependency, type ReadyProbe, type Range, type Site, type StopSpec, type WorkerSpec } from './model';
import { declarationSite, type OutlineEntry, type WorkerOutline } from './outline';

const WORKER_NAME = new RegExp(WORKER_NAME_PATTERN);

export interface WorkerDraft {
  spec: WorkerSpec;
  outline: WorkerOutline;
  ports: PortDeclaration[];
  /** The command's value, when it is a valid command string. */
  commandRange?: Range;
}

export function validateWorkers(node: Node | null, ctx: CheckContext, entry: OutlineEntry): WorkerDraft[] {
  if (isScalar(node) && node.value === null) {
    ctx.warning('no-workers', entry.keyRange, 'no workers are defined');
    return [];
  }
  if (!isMap(node)) {
    ctx.error('wrong-type', entry.valueRange ?? entry.keyRange, `expected a mapping of worker names to worker definitions, got ${describeNode(node)}`);
    return [];
  }
  if (node.items.length === 0) ctx.warning('no-workers', entry.valueRange ?? entry.keyRange, 'no workers are defined');
  const drafts: WorkerDraft[] = [];
  entry.map = forEachPair(node, ['workers'], ctx, (name, value, workerEntry) => {
    checkWorkerName(name, workerEntry, ctx);
    drafts.push(validateWorker(name, ctx.resolve(value), workerEntry, ctx));
  });
  return drafts;
}

function checkWorkerName(name: string, entry: OutlineEntry, ctx: CheckContext): void {
  if (WORKER_NAME.test(name)) return;
  const fixed = name.toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^[^a-z0-9]+/, '');
  const suggestion = fixed && WORKER_NAME.test(fixed) ? fixed : undefined;
  const hint = suggestion ? ` (e.g. '${suggestion}')` : '';
  ctx.error('invalid-worker-name', entry.keyRange, `invalid worker name '${name}': use lowercase letters, digits, '-' and '_', starting with a letter or digit${hint}`, suggestion);
}

function validateWorker(name: string, node: Node | null, entry: OutlineEntry, ctx: CheckContext): WorkerDraft {
  const read = readMapping(node, WORKER_KEYS, ['workers', name], ctx, entry.keyRange);
  entry.map = read?.map;
  const outline: WorkerOutline = { name, keyRange: entry.keyRange, entryRange: entry.entryRange, fields: read?.map.entries ?? [] };
  ctx.outline.workers.push(outline);
  const fields: Fields = read?.fields ?? new Map();
  const command = fields.get('command');
  const ports = valueOf<PortDeclaration[]>(fields, 'ports') ?? [];
  const portSites = ports.map(({ range }) => toSite(declarationSite(outline, range)));
  return {
    spec: { ...workerSpec(name, fields, ctx.dir, entry.keyRange.start), ...(portSites.length > 0 && { portSites }) },
    outline,
    ports,
    commandRange: typeof command?.value === 'string' ? command.valueRange : undefined,
  };
}

function toSite({ start, end }: Range): Site {
  return { line: start.line + 1, column: start.character + 1, endLine: end.line + 1, endColumn: end.character + 1 };
}

/** `key`: where the worker's key starts (0-based). */
function workerSpec(name: string, fields: Fields, dir: string, key: { line: number; character: number }): WorkerSpec {
  const value = <T>(key: string): T | undefined => valueOf<T>(fields, key);
  const ports = value<PortDeclaration[]>('ports') ?? [];
  const readyFields = value<Fields>('ready');
  return {
    name,
    command: value<string>('command') ?? '',
    cwd: value<string>('cwd') ?? dir,
    // A file's variables under the worker's own: `env` is where a one-off override goes.
    env: { ...value<Record<string, string>>('env_file'), ...value<Record<string, string>>('env') },
    ports: ports.map((declaration) => declaration.port),
    dependsOn: value<Dependency[]>('depends_on') ?? [],
    ...(readyFields ? { ready: readyProbe(readyFields) } : {}),
    restart: value<WorkerSpec['restart']>('restart') ?? DEFAULTS.restart,
    stop: stopSpec(value<Fields>('stop')),
    replicas: value<number>('replicas') ?? DEFAULTS.replicas,
    line: key.line + 1,
    column: key.character + 1,
  };
}

/** Undefined when the probe itself is invalid (an error has been reported then). */
function readyProbe(fields: Fields): ReadyProbe | undefined {
  const value = <T>(key: string): T | undefined => valueOf<T>(fields, key);
  const timeoutMs = value<number>('timeout') ?? DEFAULTS.readyTimeoutMs;
  const intervalMs = value<number>('interval') ?? DEFAULTS.probeIntervalMs;
  const kind = PROBE_KINDS.find((probe) => value(probe) !== undefined);
  switch (kind) {
    case 'tcp':
      return { kind, ...value<{ host: string; port: number }>('tcp')!, timeoutMs, intervalMs };
    case 'http':
      return { kind, url: value<string>('http')!, timeoutMs, intervalMs };
    case 'log':
      return { kind, pattern: value<string>('log')!, timeoutMs };
    case 'exec':
      return { kind, command: value<string>('exec')!, timeoutMs, intervalMs };
    default:
      return undefined;
  }
}

function stopSpec(fields: Fields | undefined): StopSpec {
  return {
    signal: valueOf<NodeJS.Signals>(fields, 'signal') ?? DEFAULTS.stopSignal,
    timeoutMs: valueOf<number>(fields, 'timeout') ?? DEFAULTS.stopTimeoutMs,
  };
}
