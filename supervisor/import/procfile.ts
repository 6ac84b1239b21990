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
/** `$PORT`, `${PORT}`, `${PORT:-3000}`… */
const USES_PORT = /\$\{?PORT\b/;

/** `basePort`: the first process's PORT (foreman's is 5000, or its .env's PORT). */
export function importProcfile(text: string, file: string, basePort = FOREMAN_BASE_PORT): ImportResult {
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
    const valid = toWorkerName(rawName);
    const name = uniqueName(valid, names);
    const why = valid === rawName ? 'names must be unique' : "worker names are lowercase letters, digits, '-' and '_'";
    if (name !== rawName) notes.push({ file, line, worker: name, message: `process '${rawName}' is named '${name}' (${why})` });
    names.add(name);
    workers.push(withForemanPort({ name, command: command.trim(), line }, basePort + FOREMAN_PORT_STEP * workers.length));
  });
  if (workers.length === 0) {
    const [first] = notes;
    const detail = notes.map((note) => `line ${note.line}: ${note.message.replace(/, skipped/, '')}`).join('; ');
    throw new ImportError(file, `no valid 'name: command' line${detail ? ` (${detail})` : ''}`, first?.line);
  }
  const ports = workers.map((worker) => `${worker.name} ${worker.env?.PORT}`).join(', ');
  const from = basePort === FOREMAN_BASE_PORT ? '5000' : `${basePort}, the .env's PORT,`;
  notes.push({ file, line: workers[0].line, message: `PORT set as foreman gives it to every process (${from} + 100 per process): ${ports}; a command reading $PORT declares it as its port` });
  return { kind: 'procfile', file, workers, notes };
}

/**
 * Every process gets the PORT foreman would have given it (an app may read
 * process.env.PORT without the command saying so); one whose command reads
 * $PORT also declares it as its port.
 */
function withForemanPort(worker: ImportedWorker, port: number): ImportedWorker {
  return { ...worker, env: { PORT: String(port) }, ...(USES_PORT.test(worker.command) ? { ports: [port] } : {}) };
}
