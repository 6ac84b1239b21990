/**
 * Procfile (Heroku, foreman, honcho, overmind): one `name: command` per line.
 * Lines that are not of that shape are skipped and reported, as those tools
 * skip them too; a file with no process at all is an error.
 */
import { ImportError, type ImportNote, type ImportResult, type ImportedWorker, toWorkerName, uniqueName } from './model';

const PROCESS_LINE = /^([A-Za-z0-9_-]+):\s*(.*)$/;
/** foreman and honcho give each process type its own PORT: 5000, 5100, 5200, … */
const FOREMAN_BASE_PORT = 5000;
const FOREMAN_PORT_STEP = 100;
const USES_PORT = /\$(PORT\b|\{PORT\})/;

export function importProcfile(text: string, file: string): ImportResult {
  const workers: ImportedWorker[] = [];
  const notes: ImportNote[] = [];
  const names = new Set<string>();
  text.split(/\r?\n/).forEach((rawLine, index) => {
    const line = index + 1;
    const trimmed = rawLine.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const match = PROCESS_LINE.exec(trimmed);
    if (!match) {
      notes.push({ file, line, message: `not a 'name: command' line, skipped: ${trimmed}` });
      return;
    }
    const [, rawName, command] = match;
    if (command.trim() === '') {
      notes.push({ file, line, message: `process '${rawName}' has no command, skipped` });
      return;
    }
    const name = uniqueName(toWorkerName(rawName), names);
    if (name !== rawName) notes.push({ file, line, worker: name, message: `process '${rawName}' is named '${name}' (names must be unique)` });
    names.add(name);
    workers.push(withForemanPort({ name, command: command.trim(), line }, workers.length, notes, file));
  });
  if (workers.length === 0) {
    const [first] = notes;
    const detail = notes.map((note) => `line ${note.line}: ${note.message.replace(/, skipped/, '')}`).join('; ');
    throw new ImportError(file, `no valid 'name: command' line${detail ? ` (${detail})` : ''}`, first?.line);
  }
  return { kind: 'procfile', file, workers, notes };
}

/** A command that reads $PORT gets the PORT foreman would have given it, declared as its port. */
function withForemanPort(worker: ImportedWorker, index: number, notes: ImportNote[], file: string): ImportedWorker {
  if (!USES_PORT.test(worker.command)) return worker;
  const port = FOREMAN_BASE_PORT + FOREMAN_PORT_STEP * index;
  notes.push({
    file,
    line: worker.line,
    worker: worker.name,
    message: `uses $PORT: set PORT=${port} as foreman would (5000 + 100 per process)`,
  });
  return { ...worker, env: { PORT: String(port) }, ports: [port] };
}
