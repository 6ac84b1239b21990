/**
 * What the scenarios need from a supervisor under test. One driver per tool
 * (steward.ts, pm2.ts, supervisord.ts) translates these into the tool's real
 * commands; the scenarios time them and verify the outcome through /proc.
 */
import type { Fleet } from '../lib/fleet';

/**
 * One way of driving a running tool. A tool may offer several (Steward: its
 * socket client and its CLI; PM2: `restart` and `reload`); each is reported
 * as its own row under `tool`.
 */
export interface Control {
  tool: string;
  /** Replace every worker; resolves when the tool's command returns. */
  restartAll?: () => Promise<void>;
  /** Make `fleet` the running config the tool's way (rewrite + reload/update). */
  apply?: (fleet: Fleet) => Promise<void>;
  /**
   * Renders the config `apply(fleet)` will write, before the clock starts: the
   * harness generating a file is not the tool's cost (a user saves one).
   */
  prepare?: (fleet: Fleet) => void;
}

/** One way of reading a worker's output as the tool delivers it, reported as its own row under `tool`. */
export interface OutputReader {
  tool: string;
  /** Calls `onLine` with each line of worker `name`'s stdout; resolves to an unfollow. */
  follow(name: string, onLine: (text: string) => void): Promise<() => Promise<void>>;
}

/** What a tool said when asked to apply a broken config, and its exit code. */
export interface Rejection {
  said: string;
  exitCode: number | null;
}

export interface ToolSession {
  /** Starts the daemon and every worker; resolves when the tool's start command returns. */
  start(): Promise<void>;
  controls(): Control[];
  /** Writes a broken config and asks the tool to apply it the usual way. */
  applyInvalid(): Promise<Rejection>;
  /** The ways this tool delivers a worker's output (Steward: to a socket client and to `steward logs -f`); each is its own row. */
  outputReaders(): OutputReader[];
  /** The supervisor's own long-lived processes (daemon), workers excluded. */
  daemonPids(): Promise<number[]>;
  /** The tool's own "stop everything" command. */
  stop(): Promise<void>;
  /** Last resort after a failure: SIGKILL the daemon, remove temp files. Never throws. */
  dispose(): Promise<void>;
}

export interface ToolDriver {
  name: string;
  /** Null when usable, else why the tool is skipped. */
  unavailable(): Promise<string | null>;
  version(): Promise<string>;
  open(fleet: Fleet, dir: string): ToolSession;
}
