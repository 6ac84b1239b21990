/**
 * The environment a worker runs with: the master's own, minus Steward's
 * internal variables, plus the worker's configured `env`, plus its identity.
 */

/** Variables with this prefix are the master's private business; workers never see them. */
export const INTERNAL_ENV_PREFIX = 'STEWARD_MASTER_';

export function workerEnv(
  base: NodeJS.ProcessEnv,
  configured: Record<string, string>,
  identity: { worker: string; instance: number },
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(base)) {
    if (value !== undefined && !key.startsWith(INTERNAL_ENV_PREFIX)) env[key] = value;
  }
  return { ...env, ...configured, STEWARD_WORKER: identity.worker, STEWARD_INSTANCE: String(identity.instance) };
}
