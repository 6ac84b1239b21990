/**
 * process-compose.yaml → workers. Each process key goes through a translator
 * from processComposeFields; a key without one is reported as not translated.
 */
import { ImportError, type ImportNote, type ImportResult, type ImportedWorker, toWorkerName, uniqueName } from './model';
import type { DependencyCondition } from '../config/model';
import { PROCESS_FIELDS, environmentOf, type FieldContext } from './processComposeFields';
import { YamlSource, type YamlEntry } from './yamlSource';

/** Top-level keys that only describe the file or process-compose itself. */
const SILENT_TOP_LEVEL = new Set(['version', 'processes', 'environment', 'is_dotenv_disabled']);

export function importProcessCompose(text: string, file: string): ImportResult {
  const source = YamlSource.parse(text, file);
  const top = source.entriesOf(source.root);
  if (!top) throw new ImportError(file, 'expected a mapping with a `processes:` key', source.lineOf(source.root) ?? 1);
  const notes: ImportNote[] = [];
  const processesEntry = top.find((entry) => entry.key === 'processes');
  const processes = processesEntry && source.entriesOf(processesEntry.node);
  if (!processesEntry || !processes) {
    throw new ImportError(file, '`processes:` must be a mapping of process names to definitions', processesEntry?.line ?? 1);
  }
  for (const entry of top) {
    // `x-` keys are the file's own (anchors for `<<: *common`), as in compose files: already used where they are merged.
    if (!SILENT_TOP_LEVEL.has(entry.key) && !entry.key.startsWith('x-')) notes.push({ file, line: entry.line, message: `${entry.key}: not translated` });
  }
  const globalEnv = globalEnvironment(top, file, notes);
  const workers = translateProcesses(source, processes, globalEnv, notes);
  renameDependencies(workers, processes, file, notes);
  if (workers.length === 0) throw new ImportError(file, 'no process to import', processesEntry.line);
  const dotenvDisabled = top.some((entry) => entry.key === 'is_dotenv_disabled' && entry.value === true);
  return { kind: 'process-compose', file, workers, notes, ...(dotenvDisabled && { dotenvDisabled }) };
}

function globalEnvironment(top: YamlEntry[], file: string, notes: ImportNote[]): Record<string, string> {
  const entry = top.find((candidate) => candidate.key === 'environment');
  if (!entry) return {};
  return environmentOf(entry.value, (message) => notes.push({ file, line: entry.line, message }));
}

function translateProcesses(
  source: YamlSource,
  processes: YamlEntry[],
  globalEnv: Record<string, string>,
  notes: ImportNote[],
): ImportedWorker[] {
  const workers: ImportedWorker[] = [];
  const names = new Set<string>();
  for (const process of processes) {
    const worker = translateProcess(source, process, uniqueName(toWorkerName(process.key), names), notes);
    if (!worker) continue;
    if (Object.keys(globalEnv).length > 0) worker.env = { ...globalEnv, ...worker.env };
    names.add(worker.name);
    workers.push(worker);
  }
  return workers;
}

/** Undefined when the process cannot become a worker (disabled, no command); the reason is noted. */
function translateProcess(source: YamlSource, process: YamlEntry, name: string, notes: ImportNote[]): ImportedWorker | undefined {
  const { file } = source;
  const fields = source.entriesOf(process.node);
  const skip = (message: string): undefined => {
    notes.push({ file, line: process.line, message: `process '${process.key}' ${message}, skipped` });
    return undefined;
  };
  if (!fields) return skip('is not a mapping');
  if (fields.some((field) => field.key === 'disabled' && field.value === true)) return skip('is disabled');
  // process-compose restarts nothing unless told (availability.restart defaults to "no").
  const worker: ImportedWorker = { name, command: '', line: process.line, restart: 'never' };
  for (const field of fields) {
    const context: FieldContext = {
      worker,
      field,
      note: (message, line) => notes.push({ file, line: line ?? field.line, worker: name, message: `${field.key}: ${message}` }),
      entriesOf: (node) => source.entriesOf(node),
    };
    const translate = PROCESS_FIELDS[field.key];
    if (translate) translate(context);
    else context.note('not translated');
  }
  if (worker.command === '') return skip('has no command');
  if (name !== process.key) notes.push({ file, line: process.line, worker: name, message: `process '${process.key}' is named '${name}'` });
  return worker;
}

/**
 * depends_on names process-compose's keys: point them at the worker names they
 * became, and drop (with a note) those on processes that were skipped.
 */
function renameDependencies(workers: ImportedWorker[], processes: YamlEntry[], file: string, notes: ImportNote[]): void {
  const nameOfKey = new Map<string, string>();
  for (const process of processes) {
    const worker = workers.find((candidate) => candidate.line === process.line);
    if (worker) nameOfKey.set(process.key, worker.name);
  }
  for (const worker of workers) {
    if (!worker.dependsOn) continue;
    const renamed: Record<string, DependencyCondition> = {};
    for (const [key, condition] of Object.entries(worker.dependsOn)) {
      const name = nameOfKey.get(key);
      if (name) renamed[name] = condition;
      else notes.push({ file, line: worker.line, worker: worker.name, message: `depends_on: ${key} is not an imported process, dropped` });
    }
    worker.dependsOn = Object.keys(renamed).length > 0 ? renamed : undefined;
  }
}
