/**
 * How a configured command line becomes the argv of its process.
 *
 * Debian's dash does not exec the last command of `sh -c`, so `sh -c 'sleep 10'`
 * leaves an idle `sh` as the worker's pid. For a *simple* command we prefix
 * `exec`, so the pid we report and signal is the program's own. "Simple" is
 * decided conservatively: anything with shell control syntax runs unchanged.
 */

/** Lists, pipes, subshells, substitutions, redirections, background jobs, several lines. */
const CONTROL_SYNTAX = /[;&|()`<>\n\r]/;

/** Leading `NAME=value` words with plain (unquoted, unescaped) values. */
const PLAIN_ASSIGNMENTS = /^(?:[A-Za-z_][A-Za-z0-9_]*=[^\s'"\\]*\s+)*/;
const STARTS_WITH_ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

/** First words that `exec` cannot replace the shell with: keywords and shell-only builtins. */
const NOT_A_PROGRAM = new Set([
  '!', '{', '}', 'if', 'then', 'else', 'elif', 'fi', 'while', 'until', 'for', 'do', 'done', 'case', 'esac',
  'exit', 'return', 'cd', 'export', 'readonly', 'set', 'unset', 'shift', 'trap', 'eval', 'exec', '.', ':',
  'wait', 'read', 'alias', 'unalias', 'ulimit', 'umask', 'local', 'break', 'continue', 'times', 'type',
  'command', 'getopts', 'hash', 'jobs', 'fg', 'bg',
]);

/** The script to run with `sh -c`: the command, with `exec` inserted when it is simple. */
export function shellScript(command: string): string {
  const trimmed = command.trim();
  if (trimmed === '' || CONTROL_SYNTAX.test(trimmed)) return command;
  const assignments = PLAIN_ASSIGNMENTS.exec(trimmed)?.[0] ?? '';
  const rest = trimmed.slice(assignments.length);
  const firstWord = rest.split(/\s/, 1)[0] ?? '';
  if (firstWord === '' || STARTS_WITH_ASSIGNMENT.test(firstWord) || NOT_A_PROGRAM.has(firstWord)) return command;
  return `${assignments}exec ${rest}`;
}
