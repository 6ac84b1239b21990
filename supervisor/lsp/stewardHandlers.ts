/**
 * The steward/* requests of one connection, translated to master calls.
 * Master errors become JSON-RPC errors with the protocol's codes; params are
 * validated first (params.ts). Subscriptions and log following are per
 * connection and end with it.
 */
import { ResponseError } from 'vscode-jsonrpc/node';
import {
  DownRequest,
  KeepAliveRequest,
  ErrorCodes,
  LogsRequest,
  type NotStartedData,
  ReloadRequest,
  RestartWorkerRequest,
  StartWorkerRequest,
  StatusChangedNotification,
  StatusRequest,
  StopWorkerRequest,
  SubscribeRequest,
  UnfollowLogsRequest,
  type WorkerParams,
  type WorkerStatus,
} from '../../shared/protocol';
import type { Master } from '../core/master';
import { ShuttingDownError, StartBlockedError, UnknownWorkerError, UntrustedWorkspaceError } from '../core/masterState';
import { parseEmptyParams, parseLogsParams, parseReloadParams, parseWorkerParams } from './params';
import { LogPushEncoder } from './logPushFrame';
import { LogFollower, StatusPusher } from './pushers';

/** The part of a JSON-RPC / LSP connection the handlers use (both connection kinds have it). */
export interface RpcEndpoint {
  onRequest(method: string, handler: (...args: unknown[]) => unknown): unknown;
  sendNotification(method: string, params: unknown): Promise<void>;
}

/** Sends a complete, already framed message on the connection's ordered stream (frameWriter.ts). */
export type FrameSink = (frame: Buffer) => Promise<void>;

export interface StewardSession {
  /** Called once `steward/down` has stopped every worker and its response is on its way. */
  onDown(): void;
  /** `steward/keepAlive`: no idle timeout from now on; whether there was one. */
  keepAlive(): boolean;
}

/** A session that knows whether its client declared an untrusted workspace (StewardInitializationOptions). */
export interface ClientSession extends StewardSession {
  clientUntrusted(): boolean;
}

const UNTRUSTED_REFUSAL =
  'refused: this client is in an untrusted workspace, which may read status, logs and diagnostics but not reload, start, stop or restart workers';

/**
 * Control from a client that declared itself untrusted is refused, whoever started the master —
 * unless the master runs no worker anyway (--untrusted), where a reload only validates and `down` stops nothing.
 */
function refuseUntrusted(session: ClientSession, master: Master): void {
  if (session.clientUntrusted() && master.status().workersEnabled) throw new ResponseError(ErrorCodes.NotAllowed, UNTRUSTED_REFUSAL);
}

/** Master errors → JSON-RPC errors; anything else propagates (vscode-jsonrpc answers InternalError). */
async function translateErrors<T>(action: () => Promise<T> | T): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof UnknownWorkerError) throw new ResponseError(ErrorCodes.UnknownWorker, error.message, { worker: error.worker });
    if (error instanceof ShuttingDownError) throw new ResponseError(ErrorCodes.ShuttingDown, error.message);
    if (error instanceof UntrustedWorkspaceError) throw new ResponseError(ErrorCodes.NotAllowed, error.message);
    if (error instanceof StartBlockedError) {
      throw new ResponseError<NotStartedData>(ErrorCodes.NotStarted, error.message, { worker: error.worker, failed: error.failed });
    }
    throw error;
  }
}

/**
 * Handlers registered by method name receive `(token)` when a request has no
 * params, `(params, token)` for by-name params and `(...array, token)` for
 * by-position ones; this hands the handler the params (or undefined) either way.
 */
function onParams(connection: RpcEndpoint, method: string, handler: (params: unknown) => unknown): void {
  connection.onRequest(method, (...args: unknown[]) => {
    const params = args.length <= 1 ? undefined : args.length === 2 ? args[0] : args.slice(0, -1);
    return handler(params);
  });
}

/** Registers the handlers; returns the cleanup for when the connection ends. */
export function registerStewardHandlers(connection: RpcEndpoint, master: Master, session: ClientSession, sendFrame: FrameSink): () => void {
  const cleanups = [registerStatusHandlers(connection, master), registerLogHandlers(connection, master, sendFrame)];
  registerControlHandlers(connection, master, session);
  return () => cleanups.forEach((cleanup) => cleanup());
}

/** steward/status, and steward/subscribe with its coalesced steward/statusChanged pushes. */
function registerStatusHandlers(connection: RpcEndpoint, master: Master): () => void {
  const pusher = new StatusPusher(
    () => master.status(),
    (snapshot) => void connection.sendNotification(StatusChangedNotification.method, snapshot).catch(() => undefined),
  );
  let unsubscribe: (() => void) | undefined;
  onParams(connection, StatusRequest.method, (params) => {
    parseEmptyParams(params);
    return master.status();
  });
  onParams(connection, SubscribeRequest.method, (params) => {
    parseEmptyParams(params);
    // Snapshot and subscription in the same tick: no change slips in between.
    unsubscribe ??= master.onChange((kind) => pusher.changed(kind));
    return master.status();
  });
  return () => {
    unsubscribe?.();
    pusher.dispose();
  };
}

/** steward/reload, per-worker control and steward/down. */
function registerControlHandlers(connection: RpcEndpoint, master: Master, session: ClientSession): void {
  onParams(connection, ReloadRequest.method, (params) => {
    const parsed = parseReloadParams(params);
    if (!parsed.dryRun) refuseUntrusted(session, master);
    return translateErrors(() => master.reload({ ...parsed, trigger: parsed.trigger ?? 'rpc' }));
  });
  const control = (action: (p: WorkerParams) => Promise<WorkerStatus[]>) => (params: unknown) => {
    const parsed = parseWorkerParams(params);
    refuseUntrusted(session, master);
    return translateErrors(() => action(parsed));
  };
  onParams(connection, StartWorkerRequest.method, control((p) => master.startWorker(p)));
  onParams(connection, StopWorkerRequest.method, control((p) => master.stopWorker(p)));
  onParams(connection, RestartWorkerRequest.method, control((p) => master.restartWorker(p)));
  onParams(connection, KeepAliveRequest.method, (params) => {
    parseEmptyParams(params);
    return { pid: process.pid, hadIdleTimeout: session.keepAlive() };
  });
  onParams(connection, DownRequest.method, async (params) => {
    parseEmptyParams(params);
    refuseUntrusted(session, master);
    const stopped = await master.shutdown();
    setImmediate(() => session.onDown());
    return { stopped };
  });
}

/** steward/logs (tail, and follow with batched steward/log pushes framed from the rings) and steward/unfollowLogs. */
function registerLogHandlers(connection: RpcEndpoint, master: Master, sendFrame: FrameSink): () => void {
  let following: { follower: LogFollower; unsubscribe: () => void } | undefined;
  const unfollow = (): void => {
    following?.unsubscribe();
    following?.follower.dispose();
    following = undefined;
  };
  onParams(connection, LogsRequest.method, (params) => {
    const parsed = parseLogsParams(params);
    return translateErrors(() => {
      // Snapshot and subscription in the same tick: no line slips in between.
      const lines = master.logs(parsed);
      if (parsed.follow) {
        const names = parsed.workers ?? (parsed.worker === undefined ? undefined : [parsed.worker]);
        const workers = names && new Set(names);
        if (following) {
          following.follower.follow(workers);
        } else {
          const encoder = new LogPushEncoder();
          const follower = new LogFollower(workers, (blocks) => sendFrame(encoder.encode(blocks)));
          following = { follower, unsubscribe: master.onLog((logs, entry) => follower.add(logs, entry)) };
        }
      }
      return { lines };
    });
  });
  onParams(connection, UnfollowLogsRequest.method, (params) => {
    parseEmptyParams(params);
    unfollow();
  });
  return unfollow;
}
