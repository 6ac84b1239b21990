/**
 * Starting a master in the background (`up -d`, and `lsp` when none runs):
 * the same bundle runs `up --foreground` (see runtime/spawnMaster); we return
 * once it answers on its socket, or report its own words if it exits first.
 */
import { StatusRequest } from '../../shared/protocol';
import { spawnDetachedMaster, type SpawnOutcome } from '../runtime/spawnMaster';
import { connectToMaster } from './client';

const ANSWER_TIMEOUT_MS = 20_000;

export type DetachOutcome = SpawnOutcome<true>;

export function startDetachedMaster(configFile: string, upFlags: string[]): Promise<DetachOutcome> {
  return spawnDetachedMaster({
    script: process.argv[1],
    args: ['up', '--foreground', '--config', configFile, ...upFlags],
    configFile,
    timeoutMs: ANSWER_TIMEOUT_MS,
    // Another master started at the same moment may answer first: only our child's answer counts.
    answered: async (pid) => ((await answeringPid(configFile)) === pid ? true : undefined),
  });
}

/** The pid of the master answering on the workspace's socket, if any. */
async function answeringPid(configFile: string): Promise<number | undefined> {
  const client = await connectToMaster(configFile);
  if (!client) return undefined;
  try {
    return (await client.connection.sendRequest(StatusRequest.type, {})).pid;
  } catch {
    return undefined;
  } finally {
    client.close();
  }
}
