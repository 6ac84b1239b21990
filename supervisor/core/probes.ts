/**
 * Readiness probes: is a freshly started worker ready to serve? Each probe
 * polls until it passes, its timeout passes, or the caller aborts; it never
 * throws and always says why it failed, in words a user can act on.
 */
import { connect } from 'node:net';
import type { LogLine } from '../../shared/protocol';
import type { ReadyProbe } from '../config/model';
import { httpAddress } from '../config/strings';
import type { Guardian } from '../process/guardian';
import { runCommand } from '../process/run';

export type ProbeResult = { ok: true } | { ok: false; reason: string };

export interface ProbeContext {
  /** The worker's cwd and env (exec probes run with them). */
  cwd: string;
  env: Record<string, string>;
  /** The current process's output so far and from now on (log probes). */
  output: { backlog(): LogLine[]; subscribe(listener: (line: LogLine) => void): () => void };
  signal: AbortSignal;
  guardian?: Guardian;
}

/** One attempt never waits longer than this, so a hung server is retried. */
const ATTEMPT_TIMEOUT_MS = 2_000;
/**
 * The first pause between attempts that reached the worker; each next one
 * doubles, up to the probe's interval (an HTTP server answering 503 while it
 * warms up, or an exec probe, a process per attempt, is not hammered).
 */
const FIRST_PAUSE_MS = 5;
/**
 * The pause while the probed port refuses connections, capped by the
 * interval. Most workers open their port within tens to hundreds of ms and
 * a reload waits for exactly that moment; a refused loopback connect costs
 * ~60 µs of CPU (an HTTP attempt ~230 µs), so 10 workers starting at once
 * cost the master about 1 % of a core per worker while they start.
 */
const PORT_STEP_MS = 5;
/**
 * No attempt starts in the last few ms before the deadline once one has
 * finished: squeezed into them it can only time out ("still running after
 * 1ms"), and its error would replace the telling one of the attempt before.
 */
const LAST_ATTEMPT_MIN_MS = 10;

export function waitUntilReady(probe: ReadyProbe, context: ProbeContext): Promise<ProbeResult> {
  const within = formatDuration(probe.timeoutMs);
  switch (probe.kind) {
    case 'tcp': {
      const port = () => tcpAttempt(probe.host, probe.port);
      return poll(probe, context, { port, attempt: async () => null }, `${probe.host}:${probe.port} did not accept a connection within ${within}`);
    }
    case 'http': {
      const { host, port } = httpAddress(probe.url);
      return poll(probe, context, { port: () => tcpAttempt(host, port), attempt: () => httpAttempt(probe.url) }, `${probe.url} did not answer within ${within}`);
    }
    case 'exec':
      return poll(probe, context, { attempt: (ms) => execAttempt(probe.command, context, ms) }, `\`${probe.command}\` did not succeed within ${within}`);
    case 'log':
      return watchOutput(new RegExp(probe.pattern), probe.timeoutMs, context);
  }
}

/** "10s", "1.5s", "250ms". */
export function formatDuration(ms: number): string {
  return ms < 1_000 ? `${ms}ms` : `${Number((ms / 1_000).toFixed(1))}s`;
}

/** An attempt resolves null when ready, else a short description of what went wrong. */
type Attempt = (timeoutMs: number) => Promise<string | null>;

interface Attempts {
  /** A cheap check that the port accepts connections, polled at PORT_STEP_MS before `attempt`. */
  port?: Attempt;
  attempt: Attempt;
}

async function poll(probe: { timeoutMs: number; intervalMs: number }, context: ProbeContext, attempts: Attempts, failure: string): Promise<ProbeResult> {
  const deadline = Date.now() + probe.timeoutMs;
  let lastError: string | undefined;
  let nextPause = Math.min(FIRST_PAUSE_MS, probe.intervalMs);
  while (!context.signal.aborted) {
    const left = deadline - Date.now();
    if (left <= 0 || (lastError !== undefined && left < LAST_ATTEMPT_MIN_MS)) {
      return { ok: false, reason: `${failure} (last error: ${lastError ?? 'no attempt finished'})` };
    }
    const timeoutMs = Math.min(left, ATTEMPT_TIMEOUT_MS);
    const refused = attempts.port ? await attempts.port(timeoutMs) : null;
    const error = refused ?? (await attempts.attempt(timeoutMs));
    if (error === null) return { ok: true };
    lastError = error;
    const pauseMs = refused !== null ? Math.min(PORT_STEP_MS, probe.intervalMs) : nextPause;
    await pause(Math.min(pauseMs, Math.max(0, deadline - Date.now())), context.signal);
    if (refused === null) nextPause = Math.min(nextPause * 2, probe.intervalMs);
  }
  return { ok: false, reason: 'cancelled' };
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

function tcpAttempt(host: string, port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: ATTEMPT_TIMEOUT_MS });
    const finish = (error: string | null) => {
      socket.destroy();
      resolve(error);
    };
    socket.once('connect', () => finish(null));
    socket.once('timeout', () => finish('timed out'));
    socket.once('error', (error: NodeJS.ErrnoException) => finish(error.code ?? error.message));
  });
}

function httpAttempt(url: string): Promise<string | null> {
  const client = httpClient(url);
  return new Promise((resolve) => {
    const request = client.get(url, { timeout: ATTEMPT_TIMEOUT_MS }, (response) => {
      response.resume();
      const status = response.statusCode ?? 0;
      resolve(status >= 200 && status < 400 ? null : `HTTP ${status}`);
    });
    request.once('timeout', () => {
      request.destroy();
      resolve('timed out');
    });
    request.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

/**
 * `node:http` and `node:https` (with `tls`) are loaded at the first HTTP
 * probe: they cost a master ~1.4 MB of RSS it has no use for without one
 * (bench/PROFILE.md). A plain require, as import() would load Node's ESM
 * loader too.
 */
function httpClient(url: string): Pick<typeof import('node:http'), 'get'> {
  return url.startsWith('https:') ? require('node:https') : require('node:http');
}

async function execAttempt(command: string, context: ProbeContext, timeoutMs: number): Promise<string | null> {
  try {
    const result = await runCommand(command, { cwd: context.cwd, env: context.env, timeoutMs, guardian: context.guardian });
    if (result.status === 0) return null;
    const status = result.status === null ? `still running after ${formatDuration(timeoutMs)}` : `exit code ${result.status}`;
    return result.lastLine ? `${status}: ${result.lastLine}` : status;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** Ready at the first output line matching `pattern`, including lines printed before the probe began. */
function watchOutput(pattern: RegExp, timeoutMs: number, context: ProbeContext): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const finish = (result: ProbeResult) => {
      unsubscribe();
      clearTimeout(timer);
      context.signal.removeEventListener('abort', onAbort);
      resolve(result);
    };
    const onAbort = () => finish({ ok: false, reason: 'cancelled' });
    const unsubscribe = context.output.subscribe((line) => {
      if (line.stream !== 'system' && pattern.test(line.text)) finish({ ok: true });
    });
    const timer = setTimeout(() => finish({ ok: false, reason: `no output line matched ${pattern} within ${formatDuration(timeoutMs)}` }), timeoutMs);
    context.signal.addEventListener('abort', onAbort, { once: true });
    if (context.output.backlog().some((line) => line.stream !== 'system' && pattern.test(line.text))) finish({ ok: true });
  });
}
