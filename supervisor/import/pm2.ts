/**
 * PM2 ecosystem file → workers. The file is read as data (see jsLiteral): only
 * literal values translate; a value computed at run time (`path.join(…)`,
 * `process.env.X`, a variable) is reported with its line and skipped.
 */
import { ImportError, type ImportNote, type ImportResult, type ImportedWorker, millisToDuration, toWorkerName, uniqueName } from './model';
import { firstNonLiteral, plainValue, readExportedValue, type JsEntry, type JsValue } from './jsLiteral';
import { pm2Command } from './pm2Command';

/** Whether `script` is a file, relative to the app's cwd (itself relative to the ecosystem file). */
export type ScriptLookup = (script: string, cwd: string | undefined) => boolean;

/** App keys that shape the command line (read by pm2Command), not translated one by one. */
const COMMAND_KEYS = new Set(['script', 'args', 'interpreter', 'exec_interpreter', 'node_args', 'interpreter_args']);

export function importPm2(text: string, file: string, scriptExists: ScriptLookup): ImportResult {
  const exported = readExportedValue(text, file);
  if (exported.kind !== 'object') {
    throw new ImportError(file, `module.exports must be an object literal with an 'apps' list${describeFound(exported)}`, exported.line);
  }
  const notes: ImportNote[] = [];
  const apps = exported.entries.find((entry) => entry.key === 'apps');
  for (const entry of exported.entries) {
    if (entry !== apps) notes.push({ file, line: entry.line, message: `${entry.key}: not translated` });
  }
  if (!apps || apps.value.kind !== 'array') {
    throw new ImportError(file, `'apps' must be an array literal of app objects${apps ? describeFound(apps.value) : ''}`, apps?.line ?? exported.line);
  }
  const workers: ImportedWorker[] = [];
  const names = new Set<string>();
  apps.value.items.forEach((app, index) => {
    const worker = translateApp(app, index, { file, notes, names, scriptExists });
    if (!worker) return;
    names.add(worker.name);
    workers.push(worker);
  });
  if (workers.length === 0) throw new ImportError(file, 'no app could be imported', apps.line);
  return { kind: 'pm2', file, workers, notes };
}

interface AppContext {
  file: string;
  notes: ImportNote[];
  names: Set<string>;
  scriptExists: ScriptLookup;
}

function translateApp(app: JsValue, index: number, context: AppContext): ImportedWorker | undefined {
  const { file, notes } = context;
  const skip = (message: string): undefined => {
    notes.push({ file, line: app.line, message: `apps[${index}] ${message}, skipped` });
    return undefined;
  };
  if (app.kind !== 'object') return skip(`is not an object literal${describeFound(app)}`);
  const fields = new Map(app.entries.map((entry) => [entry.key, entry]));
  const script = literalString(fields.get('script'));
  if (script === undefined) return skip(nonLiteralReason(fields.get('script'), 'script'));
  const nameEntry = fields.get('name');
  const rawName = nameEntry ? literalString(nameEntry) : script.split('/').pop()?.replace(/\.[^.]+$/, '');
  if (rawName === undefined) return skip(nonLiteralReason(nameEntry, 'name'));
  const name = uniqueName(toWorkerName(rawName), context.names);
  const note = (line: number, message: string) => notes.push({ file, line, worker: name, message });
  const cwd = literalString(fields.get('cwd'));
  const command = pm2Command(plainFields(app.entries, COMMAND_KEYS, note), (path) => context.scriptExists(path, cwd));
  command.notes.forEach((message) => note(app.line, message));
  const worker: ImportedWorker = { name, command: command.text, line: app.line, restart: 'always' };
  if (name !== rawName) note(app.line, `app '${rawName}' is named '${name}'`);
  for (const entry of app.entries) {
    if (COMMAND_KEYS.has(entry.key) || entry.key === 'name') continue;
    if (entry.key === 'env' && entry.value.kind === 'object') {
      // One computed variable (`PORT: process.env.PORT || 3000`) leaves out that one, not the whole env.
      const env = stringValues(plainFields(entry.value.entries, undefined, (line, message) => note(line, `env: ${message}`)));
      if (Object.keys(env).length > 0) worker.env = env;
      continue;
    }
    const value = plainValue(entry.value);
    if (value === undefined) note(entry.line, computedValue(entry));
    else translateField(worker, entry.key, value, (message) => note(entry.line, `${entry.key}: ${message}`));
  }
  return worker;
}

/** The literal values of `keys` (default: all) among entries; a computed one is reported and left out. */
function plainFields(entries: JsEntry[], keys: Set<string> | undefined, note: (line: number, message: string) => void): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const entry of entries.filter((candidate) => keys === undefined || keys.has(candidate.key))) {
    const value = plainValue(entry.value);
    if (value === undefined) note(entry.line, computedValue(entry));
    else fields[entry.key] = value;
  }
  return fields;
}

function computedValue(entry: JsEntry): string {
  const key = entry.key === '...' ? '' : `${entry.key}: `;
  return `${key}${firstNonLiteral(entry.value)?.description ?? 'the value'} is computed when PM2 runs the file; not translated`;
}

function translateField(worker: ImportedWorker, key: string, value: unknown, note: (message: string) => void): void {
  if (key === 'cwd' && typeof value === 'string') worker.cwd = value;
  else if (key === 'env' && typeof value === 'object' && value !== null && !Array.isArray(value)) worker.env = stringValues(value);
  else if (key === 'autorestart' && typeof value === 'boolean') worker.restart = value ? 'always' : 'never';
  else if (key === 'kill_timeout' && typeof value === 'number') worker.stop = { timeout: millisToDuration(value) };
  else if (key === 'instances') translateInstances(worker, value, note);
  else if (key === 'exec_mode' && String(value).startsWith('cluster')) note("cluster mode shares one port between instances; steward's replicas are separate processes");
  else if (key === 'exec_mode') return;
  else if (key.startsWith('env_')) note('per-environment variables are not translated (steward has one env per worker)');
  else note('not translated');
}

/** PM2 instances: a count, or 0 / -1 / 'max' meaning "one per CPU", which steward does not do. */
function translateInstances(worker: ImportedWorker, value: unknown, note: (message: string) => void): void {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1) {
    worker.replicas = value;
    if (value > 1) note("each replica gets STEWARD_INSTANCE (0, 1, …) where PM2 sets NODE_APP_INSTANCE");
  } else {
    note(`${String(value)} (one per CPU) is not translated; set replicas`);
  }
}

function stringValues(record: object): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)]));
}

function literalString(entry: JsEntry | undefined): string | undefined {
  return entry?.value.kind === 'literal' && typeof entry.value.value === 'string' ? entry.value.value : undefined;
}

function nonLiteralReason(entry: JsEntry | undefined, key: string): string {
  if (!entry) return `has no '${key}'`;
  return `has a '${key}' that is not a literal string${describeFound(entry.value)}`;
}

function describeFound(value: JsValue): string {
  return value.kind === 'other' ? `, found ${value.description}` : value.kind === 'literal' ? `, found ${JSON.stringify(value.value)}` : `, found an ${value.kind}`;
}
