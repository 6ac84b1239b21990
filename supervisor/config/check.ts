/**
 * The config checker: steward.yaml text → every problem at once, as ranged
 * diagnostics, plus the validated model when there is no error and the
 * outline the editor features build on. Pure apart from reading the
 * filesystem (cwd directories, env files) and PATH (injectable).
 */
import { dirname, resolve } from 'node:path';
import { isMap, isScalar } from 'yaml';
import { CheckContext, describeNode, type CommandExists } from './context';
import { distinctBy } from './distinct';
import { ROOT_KEYS } from './keys';
import { readMapping } from './mapping';
import type { ConfigDiagnostic, StewardConfig } from './model';
import { entriesWithMerged, type ConfigOutline } from './outline';
import { parseYamlIncrementally } from './incremental';
import { parseYaml } from './parse';
import { commandOnPath } from './program';
import { compareRanges } from './ranges';
import { checkSemantics } from './semantic';
import { validateWorkers, type WorkerDraft } from './validateWorker';

export { toLocatedError } from './located';
export type { CommandExists } from './context';
export type { ConfigOutline } from './outline';

export interface CheckOptions {
  /** Whether `program` would be found on env.PATH; defaults to a real lookup. Inject for tests. */
  commandExists?: CommandExists;
  /**
   * Parse the whole text at once instead of reusing cached per-worker pieces
   * (incremental.ts). Same result either way; this is the reference the
   * incremental path is tested against.
   */
  wholeDocument?: boolean;
}

export interface ParsedConfig {
  /** Present iff no diagnostic has severity `error`. */
  config?: StewardConfig;
  /** Sorted by position. */
  diagnostics: ConfigDiagnostic[];
  outline: ConfigOutline;
  /** Every env file the document names (absolute), readable or not: one that is missing is watched for too. */
  envFiles: string[];
}

export function checkConfigText(text: string, file: string, options: CheckOptions = {}): ParsedConfig {
  const absolute = resolve(file);
  const { doc, source, diagnostics } = (!options.wholeDocument && parseYamlIncrementally(text)) || parseYaml(text);
  const ctx = new CheckContext(source, doc, dirname(absolute), memoize(options.commandExists ?? commandOnPath));
  ctx.diagnostics.push(...diagnostics);
  const drafts = readRoot(ctx);
  if (drafts) checkSemantics(drafts, ctx);
  const sorted = distinct(ctx.diagnostics).sort((a, b) => compareRanges(a.range, b.range));
  const valid = drafts !== undefined && !sorted.some((diagnostic) => diagnostic.severity === 'error');
  const envFiles = ctx.envFileTexts();
  const config: StewardConfig | undefined = valid
    ? { version: 1, file: absolute, dir: dirname(absolute), workers: drafts.map((draft) => draft.spec), ...(Object.keys(envFiles).length > 0 && { envFiles }) }
    : undefined;
  return { ...(config ? { config } : {}), diagnostics: sorted, outline: ctx.outline, envFiles: ctx.envFilePaths() };
}

/** The root mapping → worker drafts; undefined when there is no usable root. */
function readRoot(ctx: CheckContext): WorkerDraft[] | undefined {
  const root = ctx.doc.contents;
  if (root === null || (isScalar(root) && root.value === null && ctx.source.text.trim() === '')) {
    ctx.error('empty-file', ctx.source.whole(), "the config file is empty: expected 'version: 1' and a 'workers' mapping");
    return undefined;
  }
  if (!isMap(root)) {
    const range = ctx.source.ofNode(root, ctx.source.whole());
    ctx.error('root-not-mapping', range, `expected a mapping with 'version' and 'workers' at the top level, got ${describeNode(root)}`);
    return undefined;
  }
  const first = root.items[0]?.key;
  const ownerRange = ctx.source.ofNode(isScalar(first) ? first : root, ctx.source.whole());
  const read = readMapping(root, ROOT_KEYS, [], ctx, ownerRange);
  const workers = read?.fields.get('workers');
  const workersEntry = read && entriesWithMerged(read.map).find((entry) => entry.key === 'workers');
  if (!read || !workers || !workersEntry) return read ? [] : undefined;
  return validateWorkers(workers.value as Parameters<typeof validateWorkers>[0], ctx, workersEntry);
}

/** Without repeats: a mistake in an anchored mapping is found once per worker that merges it (`<<: *base`). */
function distinct(diagnostics: ConfigDiagnostic[]): ConfigDiagnostic[] {
  return distinctBy(diagnostics, (d) => `${d.severity} ${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${d.message}`);
}

/** One lookup per program and PATH within a check: a 200-worker config mostly repeats a few programs. */
function memoize(commandExists: CommandExists): CommandExists {
  const known = new Map<string, boolean>();
  return (program, env) => {
    const key = `${program}\0${env.PATH ?? ''}`;
    let found = known.get(key);
    if (found === undefined) known.set(key, (found = commandExists(program, env)));
    return found;
  };
}
