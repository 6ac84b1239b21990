/**
 * The one protocol module shared by the extension, the CLI and the master.
 *
 * The master is the language server for steward.yaml; everything beyond LSP
 * lives under the `steward/` method prefix and is declared here once. Both
 * bundles import this file — there is no second, hand-kept copy.
 *
 * Lines and columns are 1-based in these payloads (as in the CLI and
 * `status --json`); only LSP ranges are 0-based.
 */
import { NotificationType, RequestType } from 'vscode-jsonrpc';

export type MasterState = 'running' | 'reloading' | 'wait' | 'stopping';

export type WorkerState = 'starting' | 'ready' | 'running' | 'backoff' | 'stopping' | 'exited' | 'failed';

/** Who asked for a reload. `startup` is the master's own first load. */
export type ReloadTrigger = 'startup' | 'cli' | 'rpc' | 'command' | 'signal' | 'save';

/** A problem located in a file: 1-based line and column, end inclusive of the last character's successor. */
export interface LocatedError {
  message: string;
  file?: string;
  line?: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
}

/** What a reload would do, or did: worker names (instance-less). */
export interface ReloadPlan {
  start: string[];
  stop: string[];
  restart: string[];
  keep: string[];
}

export interface ReloadResult {
  ok: boolean;
  /** The generation this reload created (ok) or tried to create (failed). */
  generation: number;
  trigger: ReloadTrigger;
  durationMs: number;
  /** ISO time the reload finished. */
  at: string;
  dryRun?: boolean;
  plan?: ReloadPlan;
  /** Present when ok is false: the reason the master is in wait mode. */
  error?: LocatedError;
  /** Further config errors beyond the first (the first is `error`). */
  errors?: LocatedError[];
  /** The config's warnings (an unknown key, a port outside the usual range…): not reasons to reject it, but worth a look. */
  warnings?: LocatedError[];
}

export interface WorkerStatus {
  name: string;
  instance: number;
  /** The worker program's own pid (no idle `sh` in between for simple commands); null when not running. */
  pid: number | null;
  generation: number;
  state: WorkerState;
  restarts: number;
  exitCode: number | null;
  ports: number[];
  /** Epoch ms of the current process's start, null when not running. */
  startedAt: number | null;
  /** Why the worker is failed / backing off / not started, in words. */
  reason?: string;
  /** True for a worker of an older generation that is still stopping. */
  draining?: boolean;
  /** 1-based line of the worker's key in the config, for "go to definition". */
  line?: number;
}

/**
 * `WorkerStatus.reason` of a worker stopped on request (`steward stop`, the tree's Stop, a reload
 * replacing it, shutdown), not ended on its own: set by the master, shown as "stopped" by the views.
 */
export const STOPPED_ON_REQUEST = 'stopped';

export interface StatusSnapshot {
  /** The master's pid. */
  pid: number;
  state: MasterState;
  generation: number;
  config: string;
  reloads: number;
  failedReloads: number;
  lastReload: ReloadResult | null;
  workers: WorkerStatus[];
  /** Epoch ms the master started. */
  startedAt: number;
  /** False when the master refuses to run worker commands (untrusted workspace). */
  workersEnabled: boolean;
  /** Absolute paths of the env files (`env_file`) of the config last read and of the one running: saving one reloads as saving the config does. Absent: none. */
  envFiles?: string[];
}

export interface LogLine {
  worker: string;
  instance: number;
  stream: 'stdout' | 'stderr' | 'system';
  /** Epoch ms the line was read. */
  time: number;
  text: string;
}

export interface WorkerParams {
  name: string;
  /** Omitted: every instance of the worker. */
  instance?: number;
}

export interface ReloadParams {
  all?: boolean;
  dryRun?: boolean;
  trigger?: ReloadTrigger;
}

/** The most lines one steward/logs request returns. */
export const MAX_LOG_LINES = 100_000;

export interface LogsParams {
  /** Omitted (and no `workers`): all workers, interleaved by time. An unknown name is an error. */
  worker?: string;
  /**
   * Only these workers, by name; names no worker has are ignored (a log
   * view may outlive its worker). Not together with `worker`.
   */
  workers?: string[];
  /** How many recent lines to return (default 200, at most MAX_LOG_LINES). */
  lines?: number;
  /**
   * Keep pushing new lines with `steward/log` until `steward/unfollowLogs` or
   * disconnect. A connection follows one set of workers: another `follow`
   * on it changes the set in place, and a worker followed before and after
   * neither misses nor repeats a line.
   */
  follow?: boolean;
}

export interface LogsResult {
  lines: LogLine[];
}

/** Client → master. The current status; no subscription. */
export namespace StatusRequest {
  export const method = 'steward/status' as const;
  export const type = new RequestType<Record<string, never> | undefined, StatusSnapshot, void>(method);
}

/**
 * Client → master. Returns the current status and, from then on, the master
 * pushes `steward/statusChanged` on this connection (snapshot-then-subscribe:
 * nothing slips between the two).
 */
export namespace SubscribeRequest {
  export const method = 'steward/subscribe' as const;
  export const type = new RequestType<Record<string, never> | undefined, StatusSnapshot, void>(method);
}

/** Master → subscribed clients, on every state change (no polling). */
export namespace StatusChangedNotification {
  export const method = 'steward/statusChanged' as const;
  export const type = new NotificationType<StatusSnapshot>(method);
}

/**
 * Client → master. Resolves with the one final outcome of the reload that
 * carries this request's config (coalesced requests share an outcome).
 */
export namespace ReloadRequest {
  export const method = 'steward/reload' as const;
  export const type = new RequestType<ReloadParams | undefined, ReloadResult, void>(method);
}

/** Client → master. Per-worker control; resolves once the action is done. */
export namespace StartWorkerRequest {
  export const method = 'steward/startWorker' as const;
  export const type = new RequestType<WorkerParams, WorkerStatus[], void>(method);
}
export namespace StopWorkerRequest {
  export const method = 'steward/stopWorker' as const;
  export const type = new RequestType<WorkerParams, WorkerStatus[], void>(method);
}
export namespace RestartWorkerRequest {
  export const method = 'steward/restartWorker' as const;
  export const type = new RequestType<WorkerParams, WorkerStatus[], void>(method);
}

/** Client → master. Recent lines from the ring buffers; with `follow`, `steward/log` pushes follow. */
export namespace LogsRequest {
  export const method = 'steward/logs' as const;
  export const type = new RequestType<LogsParams | undefined, LogsResult, void>(method);
}

/** Client → master. Stops following logs on this connection. */
export namespace UnfollowLogsRequest {
  export const method = 'steward/unfollowLogs' as const;
  export const type = new RequestType<Record<string, never> | undefined, void, void>(method);
}

/**
 * Consecutive lines of one worker instance's stream, read together: `text`
 * holds them joined by '\n' (a line never contains '\n'; shared/logBlocks.ts
 * `linesOf` splits them). The compact shape of followed output, one object
 * per read of the worker's pipe rather than one per line. A `LogLine` is a
 * block of one line.
 */
export interface LogBlock {
  worker: string;
  instance: number;
  stream: LogLine['stream'];
  /** Epoch ms the lines were read. */
  time: number;
  text: string;
  /**
   * Set when the follower fell behind (it read slower than the workers
   * wrote, by more than the master's log buffer holds): this many lines of
   * the same worker instance were skipped just before this block;
   * `steward/logs` still returns the most recent ones. Absent: none skipped.
   */
  skipped?: number;
}

/** The params of `steward/log`: followed output, in order per worker instance, after any announced gap. */
export interface LogPush {
  blocks: LogBlock[];
}

/** Master → clients that asked to follow logs: new output as it arrives, one push on its way at a time (the next gathers what came meanwhile). */
export namespace LogNotification {
  export const method = 'steward/log' as const;
  export const type = new NotificationType<LogPush>(method);
}

/** Client → master. Stop every worker and then the master itself; resolves before the master exits. */
export namespace DownRequest {
  export const method = 'steward/down' as const;
  export const type = new RequestType<Record<string, never> | undefined, { stopped: number }, void>(method);
}

/**
 * Client → master. From now on the master stays up without clients until
 * `steward down`, as one started from a terminal does (`steward up -d` finding
 * a master an editor started). `hadIdleTimeout`: it would have stopped when idle.
 */
export namespace KeepAliveRequest {
  export const method = 'steward/keepAlive' as const;
  export const type = new RequestType<Record<string, never> | undefined, { pid: number; hadIdleTimeout: boolean }, void>(method);
}

/**
 * Client → master, as the LSP `initialize` request's `initializationOptions`
 * (the extension sends it). `untrusted`: the window's workspace is not
 * trusted, so this connection may read status, logs and diagnostics but
 * never reload, start, stop or restart — whoever started the master. The
 * master answers such requests with `ErrorCodes.NotAllowed` and gives the
 * connection no code lens that would.
 */
export interface StewardInitializationOptions {
  untrusted?: boolean;
}

/**
 * Master → client: the argument of the reload code lens above steward.yaml (command `steward.reload`):
 * the document version its plan was computed from. The editor may show a lens for a moment after the
 * text changed; a click on one whose version is not the document's any more must not reload.
 */
export interface PlanLensArgument {
  version: number;
}

/** JSON-RPC error codes of steward/ requests (server-defined range). */
export const ErrorCodes = {
  UnknownWorker: -32001,
  NotAllowed: -32002,
  ShuttingDown: -32003,
  /** `steward start`: the worker was not started — a dependency it needs did not come up, or a stop cut its start short. */
  NotStarted: -32004,
} as const;

/** The `data` of a NotStarted error: the worker not started, and the one whose own start failed (its log says why). */
export interface NotStartedData {
  worker: string;
  failed: string;
}

/**
 * `steward init --json` (the CLI, for the extension's welcome view and other
 * programs): what an import found and did. Printed on stdout with exit 0, or
 * with `ok: false` and exit 1 when the source is missing or malformed or
 * steward.yaml exists without --force (then nothing was written).
 */
export interface InitReport {
  ok: boolean;
  /** Present when ok is false: why nothing was written. */
  error?: LocatedError;
  /** Which format was imported (`process-compose`, `procfile`, `pm2`, `package.json`) and from which absolute path. */
  source?: { kind: string; file: string };
  /** Absolute path of the steward.yaml written (or that would be written with --dry-run). */
  config?: string;
  written?: boolean;
  workers?: { name: string; command: string }[];
  /** What was not translated (or changed on the way), with 1-based lines in the source. */
  notes?: { file: string; line?: number; worker?: string; message: string }[];
  /** What `steward check` says about the generated file (warnings, e.g. a program not on PATH). */
  diagnostics?: (LocatedError & { severity: 'error' | 'warning' | 'info' })[];
  /** The generated steward.yaml text. */
  yaml?: string;
}
