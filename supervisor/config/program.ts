/**
 * The program a shell command line runs, for the "not on PATH" warning.
 * Deliberately conservative: anything the shell would decide at run time
 * (variables, globs, builtins, assignments, explicit paths) is not checked.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

/** sh keywords and POSIX special / regular builtins (plus common bash ones). */
const SHELL_BUILTINS = new Set([
  '!', '{', '}', '(', '[', '[[', '.', ':', 'alias', 'bg', 'break', 'case', 'cd', 'command', 'continue', 'do', 'done',
  'echo', 'elif', 'else', 'esac', 'eval', 'exec', 'exit', 'export', 'false', 'fc', 'fg', 'fi', 'for', 'function',
  'getopts', 'hash', 'if', 'jobs', 'kill', 'local', 'printf', 'pwd', 'read', 'readonly', 'return', 'select', 'set',
  'shift', 'source', 'test', 'then', 'time', 'times', 'trap', 'true', 'type', 'ulimit', 'umask', 'unalias', 'unset',
  'until', 'wait', 'while',
]);

const WORD_END = /[\s;&|<>()]/;
const SHELL_EXPANSION = /[$`*?[~]/;
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;
/** A leading `NAME=value` word whose value sh takes literally, with the blanks after it (PATH= changes the lookup: not skipped). */
const PLAIN_ASSIGNMENT = /^(?!PATH=)[A-Za-z_][A-Za-z0-9_]*=[^\s'"`$\\;&|<>()]*[ \t]+/;

export interface ProgramWord {
  /** The program name after quote removal. */
  program: string;
  /** The word as written in the command line (quotes included). */
  raw: string;
}

/** The first word of `command` when it names a program to look up on PATH; undefined when it should not be checked. */
export function programToCheck(command: string): ProgramWord | undefined {
  let start = command.search(/\S/);
  if (start < 0) return undefined;
  // `PORT=3000 node server.js` runs node: the assignments only set its environment.
  for (let skipped = PLAIN_ASSIGNMENT.exec(command.slice(start)); skipped; skipped = PLAIN_ASSIGNMENT.exec(command.slice(start))) start += skipped[0].length;
  let program = '';
  let index = start;
  while (index < command.length && !WORD_END.test(command[index])) {
    const char = command[index];
    if (char === "'" || char === '"') {
      const close = command.indexOf(char, index + 1);
      if (close < 0) return undefined;
      program += command.slice(index + 1, close);
      index = close + 1;
    } else {
      program += char === '\\' ? command[++index] ?? '' : char;
      index++;
    }
  }
  const raw = command.slice(start, index);
  if (program === '' || SHELL_EXPANSION.test(raw) || ASSIGNMENT.test(raw)) return undefined;
  if (program.includes('/') || SHELL_BUILTINS.has(program)) return undefined;
  return { program, raw };
}

/** Whether `program` is an executable file in a directory of env.PATH (relative PATH entries are ignored). */
export function commandOnPath(program: string, env: NodeJS.ProcessEnv): boolean {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir || !isAbsolute(dir)) continue;
    const candidate = join(dir, program);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return true;
    } catch {
      // not here; try the next directory
    }
  }
  return false;
}
