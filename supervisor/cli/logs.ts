/**
 * `steward logs [-f] [-n LINES] [WORKER]`: recent lines, name-prefixed;
 * with -f keeps printing pushed lines until Ctrl-C or the master goes away.
 * Exit 0, 1 unknown worker, 2 no master.
 */
import { LogNotification, LogsRequest, MAX_LOG_LINES, type LogBlock } from '../../shared/protocol';
import { LOG_BUFFER_BYTES } from '../core/logBuffer';
import { parseCommand, UsageError, withUsage } from './args';
import { withMaster, type MasterClient } from './client';
import { formatLogLines, useColor, type LogFormat } from './format';
import { resolveConfigFile } from './workspace';

const USAGE = `steward logs [-f] [-n LINES (at most ${MAX_LOG_LINES})] [WORKER] [--config PATH]`;

export function runLogs(args: string[]): Promise<number> {
  return withUsage(async () => {
    const { values, positionals } = parseCommand(args, {
      usage: USAGE,
      options: { follow: { type: 'boolean', short: 'f' }, lines: { type: 'string', short: 'n' } },
      max: 1,
    });
    const asked = values.lines === undefined ? undefined : Number(values.lines);
    if (asked !== undefined && !(Number.isInteger(asked) && asked >= 0)) throw new UsageError(`-n wants a number of lines, got '${values.lines}'`, USAGE);
    // More than the master hands out in one answer means "all it has".
    const lines = asked === undefined ? undefined : Math.min(asked, MAX_LOG_LINES);
    const configFile = resolveConfigFile(values.config, USAGE);
    const worker = positionals[0];
    return withMaster(configFile, (client) => printLogs(client, { worker, lines, follow: values.follow ?? false }));
  });
}

async function printLogs(client: MasterClient, params: { worker?: string; lines?: number; follow: boolean }): Promise<number> {
  const seen = new Set<string>();
  const replicated = new Set<string>();
  const print = (blocks: LogBlock[]): void => {
    for (const block of blocks) {
      seen.add(block.worker);
      if (block.instance > 0) replicated.add(block.worker);
    }
    const width = Math.max(0, ...[...seen].map((name) => name.length + (replicated.has(name) ? 4 : 0)));
    const format: LogFormat = { color: useColor(process.stdout), width, replicated: (name) => replicated.has(name) };
    // Corked: one writev for the batch, without first copying it into one string.
    process.stdout.cork();
    for (const block of blocks) {
      if (block.skipped) process.stdout.write(`${skippedNotice(block.skipped)}\n`);
      process.stdout.write(formatLogLines(block, format));
      process.stdout.write('\n');
    }
    process.stdout.uncork();
  };
  client.connection.onNotification(LogNotification.type, ({ blocks }) => print(blocks));
  const result = await client.connection.sendRequest(LogsRequest.type, params);
  print(result.lines);
  if (!params.follow) return 0;
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
    void client.closed.then(resolve);
  });
  return 0;
}

/** Said where lines are missing from a follow: the master skipped them because this client read too slowly. */
function skippedNotice(skipped: number): string {
  const count = skipped.toLocaleString('en-US');
  const kept = `${LOG_BUFFER_BYTES / 1024 / 1024} MiB`;
  return `… ${count} line${skipped === 1 ? '' : 's'} skipped: the client fell behind by more than the master keeps (up to the last ${kept} of each worker); \`steward logs -n LINES\` shows what it holds`;
}
