/**
 * Where things are in steward.yaml: the ranges the editor features need
 * (completion, hover, go to definition, rename, quick fixes). Built by the
 * checker while it walks the document, whatever the document's errors.
 *
 * Paths name mappings the way keysAt() in keys.ts reads them: `[]` is the
 * root, `['workers', 'api']` the worker api, `['workers', 'api', 'ready']`
 * its probe.
 */
import type { DependencyCondition, Range } from './model';
import { contains } from './ranges';

export interface OutlineEntry {
  key: string;
  /** Path of the key itself: the mapping's path plus `key`. */
  path: string[];
  keyRange: Range;
  /** Absent when the key has no value (`key:` followed by nothing). */
  valueRange?: Range;
  /** Key through the end of the value. */
  entryRange: Range;
  /** Present when the value is itself a mapping. */
  map?: OutlineMap;
}

export interface OutlineMap {
  path: string[];
  range: Range;
  /** In file order, duplicates included. */
  entries: OutlineEntry[];
  /** Keys taken from a merge (`<<: *base`) that the mapping does not set itself, located where they are written. */
  merged?: OutlineEntry[];
}

export interface WorkerOutline {
  name: string;
  keyRange: Range;
  /** The worker's key through the end of its definition. */
  entryRange: Range;
  /** The worker's own keys (command, cwd, …); empty when its value is not a mapping. */
  fields: OutlineEntry[];
}

/** A worker name used in a `depends_on` of another worker: a rename / go-to-definition site. */
export interface DependencyReference {
  /** The referenced worker. */
  name: string;
  /** The worker whose depends_on holds the reference. */
  worker: string;
  /** The name itself. */
  range: Range;
  /** The map form's condition, when given. */
  condition?: DependencyCondition;
  /** The condition value (map form), for a quick fix that changes it. */
  conditionRange?: Range;
}

export interface ConfigOutline {
  /** Every mapping in the document with a known path, outermost first. */
  maps: OutlineMap[];
  /** In file order. */
  workers: WorkerOutline[];
  /** In file order. */
  references: DependencyReference[];
  /** The env files the document names that could be read, where each is written (links, hovers), with the variables each sets. */
  files: { range: Range; path: string; names: string[] }[];
}

/** The innermost mapping whose range holds `position` — where completion would insert a key. */
export function mapAt(outline: ConfigOutline, line: number, character: number): OutlineMap | undefined {
  let found: OutlineMap | undefined;
  for (const map of outline.maps) {
    const { start, end } = map.range;
    const afterStart = line > start.line || (line === start.line && character >= start.character);
    const beforeEnd = line < end.line || (line === end.line && character <= end.character);
    if (afterStart && beforeEnd && (!found || map.path.length >= found.path.length)) found = map;
  }
  return found;
}

/** A mapping's own entries, then the keys it merges in. */
export function entriesWithMerged(map: OutlineMap): OutlineEntry[] {
  return map.merged ? [...map.entries, ...map.merged] : map.entries;
}

export function emptyOutline(): ConfigOutline {
  return { maps: [], workers: [], references: [], files: [] };
}

/**
 * Where a problem with part of a worker (a port, its probe) is shown: that
 * part itself when the worker writes it, else (taken from an alias
 * `web: *api` or a merge `<<: *base`, written under another key) the merge
 * entry or the worker's name — never the anchor's line, which belongs to the
 * worker that wrote it.
 */
export function declarationSite(worker: WorkerOutline, written: Range | undefined): Range {
  if (written && contains(worker.entryRange, written)) return written;
  const merge = worker.fields.find((field) => field.key === '<<' && contains(worker.entryRange, field.keyRange));
  return merge?.entryRange ?? worker.keyRange;
}
