/**
 * What every validation step shares: the text positions, the diagnostics
 * being collected and the outline being built.
 */
import { statSync } from 'node:fs';
import { isAlias, isMap, isScalar, isSeq, type Document, type Node } from 'yaml';
import { readEnvFileText, type EnvFileText } from './envFileText';
import type { ConfigDiagnostic, Range, Severity } from './model';
import { emptyOutline, type ConfigOutline } from './outline';
import type { SourceMap } from './ranges';

/** Whether `program` would be found on PATH; `env` holds the worker's effective PATH (its own env over the master's). */
export type PathKind = 'directory' | 'other' | 'missing';

function statKind(absolute: string): PathKind {
  try {
    return statSync(absolute).isDirectory() ? 'directory' : 'other';
  } catch {
    return 'missing';
  }
}

export type CommandExists = (program: string, env: NodeJS.ProcessEnv) => boolean;

export class CheckContext {
  readonly diagnostics: ConfigDiagnostic[] = [];
  readonly outline: ConfigOutline = emptyOutline();

  constructor(
    readonly source: SourceMap,
    readonly doc: Document.Parsed,
    /** Absolute directory of the config file. */
    readonly dir: string,
    readonly commandExists: CommandExists,
  ) {}

  report(severity: Severity, code: string, range: Range, message: string, suggestion?: string): void {
    this.diagnostics.push(suggestion === undefined ? { severity, code, range, message } : { severity, code, range, message, suggestion });
  }

  error(code: string, range: Range, message: string, suggestion?: string): void {
    this.report('error', code, range, message, suggestion);
  }

  warning(code: string, range: Range, message: string, suggestion?: string): void {
    this.report('warning', code, range, message, suggestion);
  }

  private readonly pathKinds = new Map<string, PathKind>();

  /** What is at an absolute path, asked once per path and check (200 workers often share one cwd). */
  pathKind(absolute: string): PathKind {
    let kind = this.pathKinds.get(absolute);
    if (kind === undefined) this.pathKinds.set(absolute, (kind = statKind(absolute)));
    return kind;
  }

  private readonly envFiles = new Map<string, EnvFileText>();

  /** An env file's text (or why it cannot be used), read once per path and check: workers often share one `.env`. */
  envFile(absolute: string): EnvFileText {
    let read = this.envFiles.get(absolute);
    if (read === undefined) this.envFiles.set(absolute, (read = readEnvFileText(absolute)));
    return read;
  }

  /** Every env file the document names, readable or not. */
  envFilePaths(): string[] {
    return [...this.envFiles.keys()];
  }

  /** Every env file this check read, with the text it read. */
  envFileTexts(): Record<string, string> {
    return Object.fromEntries([...this.envFiles].flatMap(([file, read]) => ('text' in read ? [[file, read.text]] : [])));
  }

  /**
   * The node an alias points at (aliases are followed once; a cycle gives
   * null). An alias whose anchor does not exist is given back itself, so
   * "expected …, got" names it (describeNode) instead of saying "nothing".
   */
  resolve(node: Node | null | undefined): Node | null {
    if (!isAlias(node)) return node ?? null;
    try {
      return (node.resolve(this.doc) as Node | undefined) ?? node;
    } catch {
      return null;
    }
  }
}

/** "a string ('abc')", "a number (3)", "a list", "nothing", an alias to no anchor — for "expected X, got Y". */
export function describeNode(node: Node | null): string {
  if (isAlias(node)) return `*${node.source}, which names no anchor (&${node.source}) before it`;
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (!isScalar(node) || node.value === null || node.value === undefined) return 'nothing';
  const value = node.value;
  if (typeof value === 'string') return `a string ('${truncate(value)}')`;
  if (typeof value === 'number' || typeof value === 'bigint') return `a number (${String(value)})`;
  if (typeof value === 'boolean') return `a boolean (${String(value)})`;
  return `a ${typeof value}`;
}

function truncate(text: string): string {
  const oneLine = text.replace(/\n/g, '\\n');
  return oneLine.length > 40 ? `${oneLine.slice(0, 39)}…` : oneLine;
}
