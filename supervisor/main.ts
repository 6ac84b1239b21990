/**
 * Entry of dist/supervisor.js: the `steward` CLI. The master and the
 * language server are started through it too (`up`, `lsp`).
 * Each command lives in its own module under supervisor/cli/ and returns
 * the process exit code.
 */
import { runCheck } from './cli/check';
import { runInit } from './cli/init';

type Command = (args: string[]) => Promise<number>;

const commands: Record<string, Command> = {
  check: runCheck,
  init: runInit,
};

const USAGE = `usage: steward <command> [options]

commands:
  check [FILE] [--json]   validate steward.yaml, print file:line:col: severity: message
  init [DIR] [--from SOURCE] [--force] [--dry-run] [--json]
                          create steward.yaml from package.json, Procfile, process-compose, PM2
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
    process.stderr.write(`steward: internal error: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 70;
  },
);
