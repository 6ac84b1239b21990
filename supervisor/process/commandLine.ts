/**
 * How a configured command line becomes the argv of its process.
 *
 * A command of plain words only (`node server.js --port=3000`: nothing sh
 * would quote, expand, glob or treat as syntax) is its own argv: the program
 * is spawned directly, found on the worker's PATH as sh would find it, and
 * a start saves the shell's own exec (~0.6 ms here).
 *
 * Anything else runs with `sh -c`. Debian's dash does not exec the last
 * command of `sh -c`, so `sh -c 'sleep $T'` would leave an idle `sh` as the
 * worker's pid. For a *simple* command we prefix `exec`, so the pid we report
 * and signal is the program's own. "Simple" is decided conservatively:
 * anything with shell control syntax outside quotes runs unchanged
 * (`node -e "setInterval(() => {}, 1e3)"` is simple; redirections are too:
 * `exec prog 2>&1` applies them, then execs).
 */

/** Outside quotes: lists, pipes, subshells, background jobs, several lines. */
const CONTROL_CHARACTERS = ';|()\n\r';

/**
 * Whether sh would see control syntax outside quotes and substitutions, or
 * could not be followed (quotes or a substitution that do not close: sh is
 * left to report that). A substitution (`$(…)`, `` `…` ``, `$((…))`) runs
 * before the command and leaves it simple: `exec sleep $((1000 + 17))`.
 */
function hasControlSyntax(command: string): boolean {
  const isControl = (index: number): boolean => {
    const char = command[index];
    // `2>&1` and `<&3` are redirections; any other `&` is a background job or a list.
    return CONTROL_CHARACTERS.includes(char) || (char === '&' && command[index - 1] !== '>' && command[index - 1] !== '<');
  };
  return scanUnquoted(command, 0, isControl) !== command.length;
}

/**
 * Calls `found` with the index of each character from `from` on that is
 * outside quotes, escapes and substitutions, until it returns true: returns
 * that index, `command.length` when none did, or -1 when a quote or a
 * substitution does not close.
 */
function scanUnquoted(command: string, from: number, found: (index: number) => boolean): number {
  let quote: "'" | '"' | null = null;
  for (let index = from; index < command.length; index++) {
    const char = command[index];
    if (quote === "'") {
      if (char === "'") quote = null;
    } else if (char === '\\') {
      index++;
    } else if (char === '`' || (char === '$' && command[index + 1] === '(')) {
      const end = substitutionEnd(command, index);
      if (end < 0) return -1;
      index = end;
    } else if (quote === '"') {
      if (char === '"') quote = null;
    } else if (char === "'" || char === '"') {
      quote = char;
    } else if (found(index)) {
      return index;
    }
  }
  return quote === null ? command.length : -1;
}

/**
 * Index of the character closing the substitution that starts at `start`
 * (a backtick, or the `$` of `$(`), or -1. Parentheses are counted and
 * quotes skipped; a `)` that is not a parenthesis's (a `case` pattern) ends
 * it early, which only makes the command look complex: the safe side.
 */
function substitutionEnd(command: string, start: number): number {
  if (command[start] === '`') {
    for (let index = start + 1; index < command.length; index++) {
      if (command[index] === '\\') index++;
      else if (command[index] === '`') return index;
    }
    return -1;
  }
  let depth = 0;
  let quote: "'" | '"' | null = null;
  for (let index = start + 1; index < command.length; index++) {
    const char = command[index];
    if (quote === "'") {
      if (char === "'") quote = null;
    } else if (char === '\\') {
      index++;
    } else if (quote === '"') {
      if (char === '"') quote = null;
    } else if (char === "'" || char === '"') {
      quote = char;
    } else if (char === '(') {
      depth++;
    } else if (char === ')' && --depth === 0) {
      return index;
    }
  }
  return -1;
}

const STARTS_WITH_ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

/**
 * How long the leading `NAME=value` words are, with the blanks after each.
 * A value is one shell word: quotes and substitutions may hold blanks
 * (`PORT=$((3130 + STEWARD_INSTANCE))`, `TITLE="a b"`).
 */
function assignmentsLength(command: string): number {
  let length = 0;
  while (STARTS_WITH_ASSIGNMENT.test(command.slice(length))) {
    const end = scanUnquoted(command, length, (index) => command[index] === ' ' || command[index] === '\t');
    const blanks = end < 0 ? 0 : (/^[ \t]+/.exec(command.slice(end))?.[0].length ?? 0);
    if (blanks === 0) break;
    length = end + blanks;
  }
  return length;
}

/** First words that `exec` cannot replace the shell with: keywords and shell-only builtins. */
const NOT_A_PROGRAM = new Set([
  '!', '{', '}', 'if', 'then', 'else', 'elif', 'fi', 'while', 'until', 'for', 'do', 'done', 'case', 'esac',
  'exit', 'return', 'cd', 'export', 'readonly', 'set', 'unset', 'shift', 'trap', 'eval', 'exec', '.', ':',
  'wait', 'read', 'alias', 'unalias', 'ulimit', 'umask', 'local', 'break', 'continue', 'times', 'type',
  'command', 'getopts', 'hash', 'jobs', 'fg', 'bg',
]);

/** Characters sh takes literally in a word: no quoting, expansion, glob, comment, tilde or syntax. */
const PLAIN_WORD = /^[A-Za-z0-9_\-./:@%+,=]+$/;

/** The argv of a command of plain words whose first word names a program; null when it needs sh. */
export function plainArgv(command: string): string[] | null {
  const words = command.trim().split(/[ \t]+/);
  const program = words[0];
  if (program === '' || program.includes('=') || NOT_A_PROGRAM.has(program)) return null;
  return words.every((word) => PLAIN_WORD.test(word)) ? words : null;
}

/** The script to run with `sh -c`: the command, with `exec` inserted when it is simple. */
export function shellScript(command: string): string {
  const trimmed = command.trim();
  if (trimmed === '' || hasControlSyntax(trimmed)) return command;
  const assignments = trimmed.slice(0, assignmentsLength(trimmed));
  const rest = trimmed.slice(assignments.length);
  const firstWord = rest.split(/\s/, 1)[0] ?? '';
  if (firstWord === '' || STARTS_WITH_ASSIGNMENT.test(firstWord) || NOT_A_PROGRAM.has(firstWord)) return command;
  return `${assignments}exec ${rest}`;
}
