/**
 * Entry of dist/supervisor.js: the `steward` CLI. The master and the
 * language server are started through it too (`up`, `lsp`).
 * Each command lives in its own module under supervisor/cli/ and returns
 * the process exit code.
 */
import { runCheck } from './cli/check';
import { runInit } from './cli/init';
import { runDown } from './cli/down';
import { runLogs } from './cli/logs';
import { runLsp } from './cli/lsp';
import { runReload } from './cli/reload';
import { runStatus } from './cli/status';
import { runUp } from './cli/up';
import { runRestart, runStart, runStop } from './cli/workerControl';
import { RuntimeDirError } from './runtime/paths';

type Command = (args: string[]) => Promise<number>;

const commands: Record<string, Command> = {
  check: runCheck,
  init: runInit,
  up: runUp,
  reload: runReload,
  status: runStatus,
  logs: runLogs,
  start: runStart,
  stop: runStop,
  restart: runRestart,
  down: runDown,
  lsp: runLsp,
};

/** `steward --help`: [syntax, what it does], one row per command; the columns are aligned when printed. */
const COMMAND_SUMMARIES: readonly (readonly [string, string])[] = [
  ['up [-d] [--editor] [--watch]', 'start the master for this workspace (foreground, or detached)'],
  ['reload [--all] [--dry-run]', 'reload the config; 0 applied, 1 rejected (wait mode), 2 no master'],
  ['status [--json]', 'the master and its workers; 2 when no master runs'],
  ['logs [-f] [-n LINES] [WORKER]', 'recent (and following) worker output'],
  ['start|stop|restart WORKER', 'per-worker control'],
  ['down', 'stop every worker and the master'],
  ['lsp', "the language server over stdio, bridged to this workspace's master"],
  ['check [FILE] [--json]', 'validate steward.yaml, print file:line:col: severity: message'],
  ['init [DIR] [--from SOURCE]', 'create steward.yaml from package.json, Procfile, process-compose, PM2'],
];

const COLUMN = Math.max(...COMMAND_SUMMARIES.map(([syntax]) => syntax.length)) + 2;

const USAGE = `usage: steward <command> [options]

commands:
${COMMAND_SUMMARIES.map(([syntax, summary]) => `  ${syntax.padEnd(COLUMN)}${summary}`).join('\n')}

every command's options: steward <command> --help
up, reload, status, logs, start, stop, restart, down and lsp take --config PATH
(default: the nearest steward.yaml upward from the current directory)
`;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`steward: unknown command '${name}'\n${USAGE}`);
    return 2;
  }
  return command(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof RuntimeDirError) {
      process.stderr.write(`steward: ${error.message}\n`);
      process.exitCode = 1;
      return;
    }
    process.stderr.write(`steward: internal error: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 70;
  },
);
