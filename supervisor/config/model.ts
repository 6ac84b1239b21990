/**
 * The validated, normalised model of steward.yaml that the rest of the
 * supervisor consumes. Produced only by the config checker; durations are in
 * milliseconds, paths absolute, defaults filled in.
 */

export type RestartPolicy = 'always' | 'on-failure' | 'never';

export type DependencyCondition = 'started' | 'ready' | 'completed';

export interface Dependency {
  name: string;
  condition: DependencyCondition;
}

export type ReadyProbe =
  | { kind: 'tcp'; host: string; port: number; timeoutMs: number; intervalMs: number }
  | { kind: 'http'; url: string; timeoutMs: number; intervalMs: number }
  /** A regular expression (JavaScript syntax) matched against each output line. */
  | { kind: 'log'; pattern: string; timeoutMs: number }
  /** A shell command line run with sh -c in the worker's cwd and env; ready when it exits 0. */
  | { kind: 'exec'; command: string; timeoutMs: number; intervalMs: number };

export interface StopSpec {
  signal: NodeJS.Signals;
  timeoutMs: number;
}

export interface WorkerSpec {
  name: string;
  /** A command line: spawned as its own program when it is plain words, else run with sh -c (process/commandLine.ts). */
  command: string;
  /** Absolute. */
  cwd: string;
  /** Only the variables the config sets (`env` over its `env_file`s); the master's own environment is merged in at spawn. */
  env: Record<string, string>;
  ports: number[];
  dependsOn: Dependency[];
  ready?: ReadyProbe;
  restart: RestartPolicy;
  stop: StopSpec;
  replicas: number;
  /** 1-based line of the worker's key, for status and "go to definition". */
  line: number;
  /** 1-based column of the worker's key (a flow-style `{ a: …, b: … }` has several on a line); absent in specs not read from a file. */
  column?: number;
  /** Where each of `ports` is declared (the merge entry or the worker's key for one written elsewhere), for errors about that port; absent in specs not read from a file. */
  portSites?: Site[];
}

/** A span of the config file, 1-based, as a LocatedError gives it. */
export interface Site {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface StewardConfig {
  version: 1;
  /** Absolute path of the config file. */
  file: string;
  /** Absolute directory the config file is in (base of relative cwd). */
  dir: string;
  /** In file order. */
  workers: WorkerSpec[];
  /** The env files the workers read (absolute path → the text read), for the no-op reload to notice an edit; absent: none. */
  envFiles?: Readonly<Record<string, string>>;
}

/** 0-based, LSP-style. */
export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export type Severity = 'error' | 'warning' | 'info';

export interface ConfigDiagnostic {
  severity: Severity;
  message: string;
  range: Range;
  /** Stable identifier of the kind of problem, e.g. `unknown-key`, `dependency-cycle`. */
  code: string;
  /** The replacement a quick fix would offer ("did you mean"). */
  suggestion?: string;
}

/** Defaults used where the config is silent. */
export const DEFAULTS = {
  restart: 'on-failure' as RestartPolicy,
  stopSignal: 'SIGTERM' as NodeJS.Signals,
  stopTimeoutMs: 5_000,
  readyTimeoutMs: 30_000,
  probeIntervalMs: 100,
  replicas: 1,
} as const;
