/**
 * Command-line parsing for every command (node:util parseArgs, strict):
 * unknown flags, missing values and wrong positional counts become a
 * UsageError, which main turns into exit 2 with the command's usage line.
 * Every command takes `--config PATH` and `--help`.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {
  constructor(
    message: string,
    readonly usage: string,
  ) {
    super(message);
  }
}

/** `--help` / `-h` on a command: its usage goes to stdout and the exit status is 0. */
export class HelpRequested extends Error {
  constructor(readonly usage: string) {
    super('help requested');
  }
}

const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;

type Options = NonNullable<ParseArgsConfig['options']>;

export interface CommandSyntax<O extends Options> {
  /** e.g. `steward logs [-f] [WORKER]` */
  usage: string;
  options: O;
  /** Positional arguments: at least `min`, at most `max`. */
  min?: number;
  max?: number;
}

export const CONFIG_OPTION = { config: { type: 'string' } } as const;

export function parseCommand<O extends Options>(args: string[], syntax: CommandSyntax<O>) {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { ...syntax.options, ...CONFIG_OPTION, ...HELP_OPTION }, allowPositionals: true, strict: true });
  } catch (error) {
    if (args.includes('--help') || args.includes('-h')) throw new HelpRequested(syntax.usage);
    throw new UsageError(usageMessage(error as Error), syntax.usage);
  }
  if ((parsed.values as { help?: boolean }).help) throw new HelpRequested(syntax.usage);
  const { positionals } = parsed;
  const min = syntax.min ?? 0;
  const max = syntax.max ?? 0;
  if (positionals.length < min) throw new UsageError('missing argument', syntax.usage);
  if (positionals.length > max) throw new UsageError(`unexpected argument '${positionals[max]}'`, syntax.usage);
  return { values: parsed.values, positionals };
}

/** parseArgs's words, without its advice on positionals that start with '-' (which no command has). */
function usageMessage(error: Error): string {
  const unknown = /^Unknown option '([^']+)'/.exec(error.message);
  if (unknown) return `unknown option '${unknown[1]}'`;
  return `${error.message.charAt(0).toLowerCase()}${error.message.slice(1)}`;
}

/** Runs a command body, turning a UsageError into the message + usage and exit 2 (and `--help` into the usage and exit 0). */
export async function withUsage(body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof HelpRequested) {
      process.stdout.write(`usage: ${error.usage}\n`);
      return 0;
    }
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`steward: ${error.message}\nusage: ${error.usage}\n`);
    return 2;
  }
}
