/**
 * The environment a worker runs with: the master's own, minus Steward's
 * internal variables, plus the worker's configured `env`, plus its identity.
 */

/** Variables with this prefix are the master's private business; workers never see them. */
export const INTERNAL_ENV_PREFIX = 'STEWARD_MASTER_';

/**
 * Set by whoever launched the master, for the master alone: the extension
 * runs it with VS Code's Electron binary and ELECTRON_RUN_AS_NODE=1, which
 * would turn any Electron program a worker starts into plain Node. A worker
 * that wants one of these sets it in its own `env`.
 */
export const LAUNCHER_ENV_VARS: readonly string[] = ['ELECTRON_RUN_AS_NODE'];

/** Names, comma-separated, of variables the launcher added for the master alone (runtime/spawnMaster.ts `masterEnv`). */
export const MASTER_ONLY_ENV = `${INTERNAL_ENV_PREFIX}ONLY`;

function isInternal(key: string, masterOnly: readonly string[]): boolean {
  return key.startsWith(INTERNAL_ENV_PREFIX) || LAUNCHER_ENV_VARS.includes(key) || masterOnly.includes(key);
}

export function workerEnv(
  base: NodeJS.ProcessEnv,
  configured: Record<string, string>,
  identity: { worker: string; instance: number },
): Record<string, string> {
  const env: Record<string, string> = {};
  const masterOnly = base[MASTER_ONLY_ENV]?.split(',') ?? [];
  for (const [key, value] of Object.entries(base)) {
    if (value !== undefined && !isInternal(key, masterOnly)) env[key] = value;
  }
  return { ...env, ...configured, STEWARD_WORKER: identity.worker, STEWARD_INSTANCE: String(identity.instance) };
}
