/**
 * Entry of dist/supervisor.js: the `steward` CLI. The master and the
 * language server are started through it too (`up`, `lsp`).
 * Each command lives in its own module under supervisor/cli/ and returns
 * the process exit code. A command's module is loaded when it runs (esbuild
 * keeps a module reached only through import() unevaluated until then):
 * `steward status` needs a socket client, not the language server, the YAML
 * checker and the importers the master and `init` load.
 */
import { RuntimeDirError } from './runtime/paths';

type Command = (args: string[]) => Promise<number>;

/** The package's version, put in by esbuild (esbuild.mjs `define`). */
declare const STEWARD_VERSION: string;

const commands: Record<string, () => Promise<Command>> = {
  check: async () => (await import('./cli/check.js')).runCheck,
  init: async () => (await import('./cli/init.js')).runInit,
  up: async () => (await import('./cli/up.js')).runUp,
  reload: async () => (await import('./cli/reload.js')).runReload,
  status: async () => (await import('./cli/status.js')).runStatus,
  logs: async () => (await import('./cli/logs.js')).runLogs,
  start: async () => (await import('./cli/workerControl.js')).runStart,
  stop: async () => (await import('./cli/workerControl.js')).runStop,
  restart: async () => (await import('./cli/workerControl.js')).runRestart,
  down: async () => (await import('./cli/down.js')).runDown,
  lsp: async () => (await import('./cli/lsp.js')).runLsp,
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

every command's options: steward <command> --help (or steward help <command>); steward --version
every command takes --config PATH (default: the nearest steward.yaml upward
from the current directory; for init, the file to write, DIR/steward.yaml)
`;

/** `steward --config PATH status` is `steward status --config PATH`: the help says every command takes it. */
function commandFirst(argv: string[]): string[] {
  const words = argv[0] === '--config' ? 2 : argv[0]?.startsWith('--config=') ? 1 : 0;
  // Nothing after it: no command, as with no arguments at all.
  if (words > 0) return argv.length > words ? [...argv.slice(words), ...argv.slice(0, words)] : [];
  return argv;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = commandFirst(argv);
  // `steward help up` is `steward up --help`.
  if (name === 'help' && rest.length === 1 && rest[0] in commands) return (await commands[rest[0]]())(['--help']);
  if (name === '--version' || name === '-V') {
    process.stdout.write(`steward ${STEWARD_VERSION}\n`);
    return 0;
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE);
    return name === undefined ? 2 : 0;
  }
  // `steward logs | head`: a reader that has seen enough is not an error of ours. Not for a master
  // (`up`): it keeps supervising without its terminal (ForegroundOutput stops printing).
  if (name !== 'up') {
    process.stdout.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      process.exit(0);
    });
  }
  const load = commands[name];
  if (!load) {
    process.stderr.write(`steward: unknown command '${name}'\n${USAGE}`);
    return 2;
  }
  return (await load())(rest);
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
