/**
 * The shell command line PM2 would run for an app: its interpreter (given, or
 * chosen by the script's extension as PM2 does), interpreter arguments, the
 * script and its args.
 */
import { extname } from 'node:path';
import { shellWord } from './model';

/** PM2's own table (lib/API/interpreter.json). */
const INTERPRETER_OF_EXTENSION: Record<string, string> = {
  '.sh': 'bash',
  '.py': 'python',
  '.rb': 'ruby',
  '.php': 'php',
  '.pl': 'perl',
  '.js': 'node',
  '.cjs': 'node',
  '.mjs': 'node',
  '.coffee': 'coffee',
  '.ls': 'lsc',
  '.ts': 'bun',
  '.tsx': 'bun',
};

export interface Pm2Command {
  text: string;
  notes: string[];
}

/**
 * `fields` holds the app's literal script, args, interpreter, node_args /
 * interpreter_args; `isFile` tells whether the script is a file in the app's
 * cwd (an extension-less file runs with node; anything else is a program on PATH).
 */
export function pm2Command(fields: Record<string, unknown>, isFile: (script: string) => boolean): Pm2Command {
  const script = String(fields.script);
  const args = words(fields.args);
  const notes: string[] = [];
  // PM2 runs `script: "npm run dev"` as a command line of its own.
  if (/\s/.test(script)) return { text: [script, ...args].join(' '), notes };
  const interpreter = stringOrUndefined(fields.interpreter) ?? stringOrUndefined(fields.exec_interpreter);
  const interpreterArgs = words(fields.interpreter_args ?? fields.node_args);
  const chosen = interpreter ?? INTERPRETER_OF_EXTENSION[extname(script)] ?? (isFile(script) ? 'node' : 'none');
  if (chosen === 'bun' && interpreter === undefined) notes.push(`PM2 runs ${extname(script)} files with bun when it is installed (else node's type stripping); used bun`);
  const program = chosen === 'none' ? [shellWord(script)] : [chosen, ...interpreterArgs, shellWord(script)];
  return { text: [...program, ...args].join(' '), notes };
}

/** PM2 takes args (and interpreter args) as one string or as a list of words; a number (`args: 100`) is one word. */
function words(value: unknown): string[] {
  if (Array.isArray(value)) return value.map((word) => shellWord(String(word)));
  if (typeof value === 'number' && Number.isFinite(value)) return [String(value)];
  if (typeof value === 'string' && value.trim() !== '') return [value.trim()];
  return [];
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
