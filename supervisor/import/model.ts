/**
 * What every importer (package.json, Procfile, process-compose, PM2) produces:
 * workers in steward.yaml's own vocabulary, plus notes about everything that
 * did not translate. Importers read their source as data and never run it.
 */
import type { DependencyCondition } from '../config/model';

export type SourceKind = 'process-compose' | 'procfile' | 'pm2' | 'package.json';

/** A worker as it will be written to steward.yaml (YAML keys, duration strings). */
export interface ImportedWorker {
  name: string;
  command: string;
  /** Relative to the source file's directory (rebased to the config's directory when written). */
  cwd?: string;
  env?: Record<string, string>;
  /** A dotenv file the worker reads, relative to the config's directory. */
  envFile?: string;
  ports?: number[];
  dependsOn?: Record<string, DependencyCondition>;
  ready?: ImportedProbe;
  restart?: 'always' | 'on-failure' | 'never';
  stop?: { signal?: string; timeout?: string };
  replicas?: number;
  /** 1-based line in the source where this worker is defined. */
  line?: number;
}

export type ImportedProbe = ({ http: string } | { exec: string } | { log: string }) & { timeout?: string; interval?: string };

/** Something in the source that was not translated, or translated with a caveat. */
export interface ImportNote {
  /** Path of the source file, as given to the importer. */
  file: string;
  /** 1-based; absent when the note is about the file as a whole. */
  line?: number;
  /** The worker the note belongs to, if any (notes are written as comments above it). */
  worker?: string;
  message: string;
}

export interface ImportResult {
  kind: SourceKind;
  file: string;
  workers: ImportedWorker[];
  notes: ImportNote[];
  /** The source tells its tool not to load the `.env` beside it (process-compose's is_dotenv_disabled). */
  dotenvDisabled?: true;
}

/** Malformed input: the import stops and nothing is written. Lines and columns are 1-based. */
export class ImportError extends Error {
  constructor(
    readonly file: string,
    message: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
    this.name = 'ImportError';
  }

  /** `file:line:col: message`, the same shape `steward check` prints. */
  describe(): string {
    const where = [this.file, this.line, this.line === undefined ? undefined : this.column]
      .filter((part) => part !== undefined)
      .join(':');
    return `${where}: ${this.message}`;
  }
}

/**
 * Turns a name from another tool (`dev:api`, `web.1`, `My App`) into a worker
 * name steward accepts: lowercase letters, digits, `_` and `-`, starting with a
 * letter or digit.
 */
export function toWorkerName(raw: string): string {
  const cleaned = raw
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '');
  return cleaned === '' ? 'worker' : cleaned;
}

/** Keeps worker names unique in file order: a second `web` becomes `web-2`. */
export function uniqueName(wanted: string, taken: ReadonlySet<string>): string {
  if (!taken.has(wanted)) return wanted;
  for (let suffix = 2; ; suffix++) {
    const candidate = `${wanted}-${suffix}`;
    if (!taken.has(candidate)) return candidate;
  }
}

/** Seconds (from another tool's config) as a steward duration string. */
export function secondsToDuration(seconds: number): string {
  return Number.isInteger(seconds) ? `${seconds}s` : `${Math.round(seconds * 1000)}ms`;
}

/** Milliseconds as a steward duration string, in whole seconds when exact. */
export function millisToDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** Quotes one word for sh only when it needs it. */
export function shellWord(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
