/**
 * The steward/* requests of one connection, translated to master calls.
 * Master errors become JSON-RPC errors with the protocol's codes; params are
 * validated first (params.ts). Subscriptions and log following are per
 * connection and end with it.
 */
import { ResponseError } from 'vscode-jsonrpc/node';
import {
  DownRequest,
  ErrorCodes,
  LogNotification,
  LogsRequest,
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
import { ShuttingDownError, UnknownWorkerError } from '../core/masterState';
import { parseEmptyParams, parseLogsParams, parseReloadParams, parseWorkerParams } from './params';
import { LogFollower, StatusPusher } from './pushers';

/** The part of a JSON-RPC / LSP connection the handlers use (both connection kinds have it). */
export interface RpcEndpoint {
  onRequest(method: string, handler: (params: unknown) => unknown): unknown;
  sendNotification(method: string, params: unknown): Promise<void>;
}

export interface StewardSession {
  /** Called once `steward/down` has stopped every worker and its response is on its way. */
  onDown(): void;
}

/** Master errors → JSON-RPC errors; anything else propagates (vscode-jsonrpc answers InternalError). */
async function translateErrors<T>(action: () => Promise<T> | T): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof UnknownWorkerError) throw new ResponseError(ErrorCodes.UnknownWorker, error.message, { worker: error.worker });
    if (error instanceof ShuttingDownError) throw new ResponseError(ErrorCodes.ShuttingDown, error.message);
    throw error;
  }
}

/** Registers the handlers; returns the cleanup for when the connection ends. */
export function registerStewardHandlers(connection: RpcEndpoint, master: Master, session: StewardSession): () => void {
  const pusher = new StatusPusher(
    () => master.status(),
    (snapshot) => void connection.sendNotification(StatusChangedNotification.method, snapshot).catch(() => undefined),
  );
  let unsubscribeStatus: (() => void) | undefined;
  let follower: { follower: LogFollower; unsubscribe: () => void } | undefined;
  const unfollow = (): void => {
    follower?.unsubscribe();
    follower?.follower.dispose();
    follower = undefined;
  };

  connection.onRequest(StatusRequest.method, (params: unknown) => {
    parseEmptyParams(params);
    return master.status();
  });
  connection.onRequest(SubscribeRequest.method, (params: unknown) => {
    parseEmptyParams(params);
    unsubscribeStatus ??= master.onChange(() => pusher.changed());
    return master.status();
  });
  connection.onRequest(ReloadRequest.method, (params: unknown) => {
    const parsed = parseReloadParams(params);
    return translateErrors(() => master.reload({ ...parsed, trigger: parsed.trigger ?? 'rpc' }));
  });
  const control = (action: (p: WorkerParams) => Promise<WorkerStatus[]>) => (params: unknown) => {
    const parsed = parseWorkerParams(params);
    return translateErrors(() => action(parsed));
  };
  connection.onRequest(StartWorkerRequest.method, control((p) => master.startWorker(p)));
  connection.onRequest(StopWorkerRequest.method, control((p) => master.stopWorker(p)));
  connection.onRequest(RestartWorkerRequest.method, control((p) => master.restartWorker(p)));
  connection.onRequest(LogsRequest.method, (params: unknown) => {
    const parsed = parseLogsParams(params);
    return translateErrors(() => {
      // Snapshot and subscribe in the same tick: no line slips in between.
      const lines = master.logs(parsed);
      if (parsed.follow) {
        unfollow();
        const logFollower = new LogFollower(parsed.worker, (batch) => {
          void connection.sendNotification(LogNotification.method, { lines: batch }).catch(() => undefined);
        });
        follower = { follower: logFollower, unsubscribe: master.onLog((line) => logFollower.add(line)) };
      }
      return { lines };
    });
  });
  connection.onRequest(UnfollowLogsRequest.method, (params: unknown) => {
    parseEmptyParams(params);
    unfollow();
  });
  connection.onRequest(DownRequest.method, async (params: unknown) => {
    parseEmptyParams(params);
    const stopped = await master.shutdown();
    setImmediate(() => session.onDown());
    return { stopped };
  });

  return () => {
    unsubscribeStatus?.();
    pusher.dispose();
    unfollow();
  };
}
