/**
 * ImportResult → steward.yaml text. The `yaml` library writes every value (so
 * quoting is always right); notes become comments: about the whole source at
 * the top, about a worker right above it.
 */
import { Document, isCollection, isMap, isScalar, type Node, type Pair, type YAMLMap } from 'yaml';
import type { ImportNote, ImportResult, ImportedWorker } from './model';

/** Short inline maps and lists read best in flow style (`ready: { http: …, timeout: 10s }`). */
const FLOW_KEYS = new Set(['ports', 'depends_on', 'ready', 'stop']);

export function emitStewardYaml(result: ImportResult, sourceLabel: string): string {
  // No anchors for an env shared by several workers (process-compose's global environment): editing one must not change the others.
  const objects = Object.fromEntries(result.workers.map((worker) => [worker.name, workerObject(worker)]));
  const document = new Document({ version: 1, workers: objects }, { aliasDuplicateObjects: false });
  document.commentBefore = header(result, sourceLabel);
  const workers = document.get('workers', true) as YAMLMap<Node, Node>;
  for (const pair of workers.items as Pair<Node, Node>[]) {
    const name = isScalar(pair.key) ? String(pair.key.value) : '';
    const notes = result.notes.filter((note) => note.worker === name);
    if (notes.length > 0 && isScalar(pair.key)) pair.key.commentBefore = notes.map((note) => ` ${describeNote(note)}`).join('\n');
    if (isMap<Node, Node>(pair.value)) useFlowStyle(pair.value);
  }
  return document.toString({ lineWidth: 0 });
}

/** The worker in steward.yaml's key order, without keys the source left unset. */
function workerObject(worker: ImportedWorker): Record<string, unknown> {
  const dependsOn = worker.dependsOn && Object.values(worker.dependsOn).every((condition) => condition === 'started')
    ? Object.keys(worker.dependsOn)
    : worker.dependsOn;
  const entries: [string, unknown][] = [
    ['command', worker.command],
    ['cwd', worker.cwd],
    ['env', worker.env],
    ['env_file', worker.envFile],
    ['ports', worker.ports],
    ['depends_on', dependsOn],
    ['ready', worker.ready],
    ['restart', worker.restart],
    ['stop', worker.stop],
    ['replicas', worker.replicas],
  ];
  return Object.fromEntries(entries.filter(([, value]) => value !== undefined));
}

function useFlowStyle(worker: YAMLMap<Node, Node>): void {
  for (const pair of worker.items) {
    if (isScalar(pair.key) && FLOW_KEYS.has(String(pair.key.value)) && isCollection(pair.value)) pair.value.flow = true;
  }
}

function header(result: ImportResult, sourceLabel: string): string {
  const lines = [` Created by \`steward init\` from ${sourceLabel}. Check it with \`steward check\`.`];
  const general = result.notes.filter((note) => note.worker === undefined);
  if (general.length > 0) {
    lines.push(' Not translated or changed on the way:');
    lines.push(...general.map((note) => `   ${describeNote(note)}`));
  }
  return lines.join('\n');
}

/** `Procfile:4: message`: where in the source, then what. */
export function describeNote(note: ImportNote): string {
  return `${note.file}${note.line === undefined ? '' : `:${note.line}`}: ${note.message}`;
}
