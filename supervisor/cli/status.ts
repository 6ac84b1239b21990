/** `steward status [--json]`: 0, or 2 when no master runs for the workspace. */
import { StatusRequest } from '../../shared/protocol';
import { parseCommand, withUsage } from './args';
import { withMaster } from './client';
import { renderStatusTable } from './statusTable';
import { resolveConfigFile } from './workspace';

const USAGE = 'steward status [--json] [--config PATH]';

export function runStatus(args: string[]): Promise<number> {
  return withUsage(async () => {
    const { values } = parseCommand(args, { usage: USAGE, options: { json: { type: 'boolean' } } });
    const configFile = resolveConfigFile(values.config, USAGE);
    return withMaster(configFile, async ({ connection }) => {
      const status = await connection.sendRequest(StatusRequest.type, {});
      process.stdout.write(values.json ? `${JSON.stringify(status, null, 2)}\n` : renderStatusTable(status));
      return 0;
    });
  });
}
