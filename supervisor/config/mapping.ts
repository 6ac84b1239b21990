/**
 * Walking YAML mappings: plain keys only, duplicate keys reported (the
 * parser runs with uniqueKeys off so that we can point at both), unknown
 * keys warned about with a suggestion, required keys enforced — all driven
 * by the key table. Every mapping walked is recorded in the outline.
 */
import { isMap, isScalar, type Node, type Pair, type YAMLMap } from 'yaml';
import { describeNode, type CheckContext } from './context';
import { EXTENSION_KEY_PREFIX, specOf, type KeyTable } from './keys';
import { isMergeKey, MERGE_KEY, mergedPairs, mergeSources } from './mergeKeys';
import type { Range } from './model';
import { entriesWithMerged, type OutlineEntry, type OutlineMap } from './outline';
import { isEmptyValue } from './ranges';
import { closest, didYouMean } from './suggest';
import { readValue } from './values';

/** A key's validated value: undefined when the value was invalid (already reported). */
export interface Field {
  value: unknown;
  keyRange: Range;
  valueRange: Range;
}

export type Fields = Map<string, Field>;

/** The validated value of `key`; the caller states its type, which the key table's reader for that key guarantees. */
export function valueOf<T>(fields: Fields | undefined, key: string): T | undefined {
  return fields?.get(key)?.value as T | undefined;
}

export type PairVisitor = (key: string, value: Node | null, entry: OutlineEntry) => void;

/**
 * Calls `visit` once per distinct plain key of `map`: its own keys in file
 * order, then those it takes from merges (`<<: *base`, see mergeKeys.ts),
 * located where they are written. Returns the map's outline. Non-scalar
 * keys and repeated keys are reported and skipped.
 */
export function forEachPair(map: YAMLMap, path: string[], ctx: CheckContext, visit: PairVisitor): OutlineMap {
  const outlineMap: OutlineMap = { path, range: ctx.source.ofNode(map, ctx.source.whole()), entries: [] };
  ctx.outline.maps.push(outlineMap);
  const seen = new Map<string, Range>();
  const merges: Array<{ entry: OutlineEntry; value: Node | null }> = [];
  for (const pair of map.items as Pair<Node | null, Node | null>[]) {
    const entry = outlineEntry(pair, path, outlineMap.range, ctx);
    if (entry === undefined) continue;
    outlineMap.entries.push(entry);
    if (isDuplicate(entry, seen, ctx)) continue;
    if (isMergeKey(pair.key)) merges.push({ entry, value: pair.value });
    else visit(entry.key, pair.value, entry);
  }
  const visited = new Set<YAMLMap>([map]);
  for (const merge of merges) {
    for (const { pair, entry } of mergedEntries(merge, path, ctx, visited)) {
      if (seen.has(entry.key)) continue;
      seen.set(entry.key, entry.keyRange);
      (outlineMap.merged ??= []).push(entry);
      visit(entry.key, pair.value, entry);
    }
  }
  return outlineMap;
}

/**
 * The keys one `<<` brings in, with their outline entries (located where
 * they are written); a value that is not a mapping, and a key repeated
 * within one merged mapping (which the checker walks nowhere else), are
 * reported.
 */
function mergedEntries(merge: { entry: OutlineEntry; value: Node | null }, path: string[], ctx: CheckContext, visited: Set<YAMLMap>) {
  const fallback = merge.entry.valueRange ?? merge.entry.keyRange;
  const resolve = (node: Node | null) => ctx.resolve(node);
  const invalid = (item: Node | null, resolved: Node | null): void =>
    ctx.error('invalid-merge', ctx.source.ofNode(item, fallback), `'${MERGE_KEY}' merges a mapping, an alias of one (*name) or a list of them, got ${describeNode(resolved)}`);
  const keysOf = new Map<YAMLMap, Map<string, Range>>();
  return mergedPairs(mergeSources(merge.value, resolve, invalid), resolve, invalid, visited).flatMap(({ pair, source }) => {
    const entry = outlineEntry(pair, path, fallback, ctx);
    if (!entry) return [];
    const keys = keysOf.get(source) ?? new Map<string, Range>();
    keysOf.set(source, keys);
    return isDuplicate(entry, keys, ctx) ? [] : [{ pair, entry }];
  });
}

/** Reports a key already in `seen` (of the same mapping); otherwise records it. */
function isDuplicate(entry: OutlineEntry, seen: Map<string, Range>, ctx: CheckContext): boolean {
  const first = seen.get(entry.key);
  if (first) ctx.error('duplicate-key', entry.keyRange, `duplicate key '${entry.key}' (first defined on line ${first.start.line + 1})`);
  else seen.set(entry.key, entry.keyRange);
  return first !== undefined;
}

function outlineEntry(pair: Pair<Node | null, Node | null>, path: string[], mapRange: Range, ctx: CheckContext): OutlineEntry | undefined {
  const entryRange = ctx.source.ofPair(pair, mapRange);
  const keyNode = ctx.resolve(pair.key);
  if (!isScalar(keyNode) || keyNode.value === null || typeof keyNode.value === 'object') {
    const got = pair.key ? describeNode(keyNode) : 'no key';
    ctx.error('invalid-key', ctx.source.ofNode(pair.key, entryRange), `expected a plain key name, got ${got}`);
    return undefined;
  }
  // A `!!merge` tag makes the key a symbol.
  const key = typeof keyNode.value === 'symbol' ? (keyNode.value.description ?? '') : String(keyNode.value);
  const keyRange = ctx.source.ofNode(pair.key, entryRange);
  const hasValue = pair.value !== null && !isEmptyValue(pair.value);
  const valueRange = hasValue ? ctx.source.ofNode(pair.value, keyRange) : undefined;
  return { key, path: [...path, key], keyRange, valueRange, entryRange };
}

/** Where a mapping is, in words, for messages: "at the top level", "in worker 'api'", "in 'ready' of worker 'api'". */
export function whereIs(path: readonly string[]): string {
  if (path.length === 0) return 'at the top level';
  if (path[0] === 'workers' && path.length >= 2) {
    const inner = path.slice(2);
    return inner.length === 0 ? `in worker '${path[1]}'` : `in '${inner.join('.')}' of worker '${path[1]}'`;
  }
  return `in '${path.join('.')}'`;
}

/**
 * Validates a mapping against a key table. `ownerRange` is where a missing
 * required key is reported (the key that holds this mapping).
 */
export function readMapping(
  node: Node | null,
  table: KeyTable,
  path: string[],
  ctx: CheckContext,
  ownerRange: Range,
): { fields: Fields; map: OutlineMap } | undefined {
  if (!isMap(node)) {
    const what = path.length === 0 ? 'a mapping' : `a mapping (${Object.keys(table).slice(0, 3).join(', ')}, …)`;
    ctx.error('wrong-type', ctx.source.ofNode(node, ownerRange), `expected ${what}, got ${describeNode(node)}`);
    return undefined;
  }
  const fields: Fields = new Map();
  const map = forEachPair(node, path, ctx, (key, value, entry) => {
    const spec = specOf(table, key);
    if (spec === undefined) {
      // A typo (`restrat: always`) must not be applied as if the key were absent; `x-…` keys are the user's own notes.
      if (key.startsWith(EXTENSION_KEY_PREFIX)) return;
      const suggestion = closest(key, Object.keys(table));
      const hint = suggestion ? didYouMean(suggestion) : ` (keys of your own start with '${EXTENSION_KEY_PREFIX}')`;
      ctx.error('unknown-key', entry.keyRange, `unknown key '${key}' ${whereIs(path)}${hint}`, suggestion);
      return;
    }
    const valueRange = entry.valueRange ?? entry.keyRange;
    fields.set(key, { value: readValue(ctx.resolve(value), spec.type, ctx, entry), keyRange: entry.keyRange, valueRange });
  });
  reportMissingKeys(table, map, ctx, ownerRange);
  return { fields, map };
}

const requiredByTable = new WeakMap<KeyTable, string[]>();

/** The table's required keys, in table order (computed once per table: every worker's mapping asks). */
function requiredKeys(table: KeyTable): string[] {
  let keys = requiredByTable.get(table);
  if (!keys) requiredByTable.set(table, (keys = Object.keys(table).filter((key) => table[key].required)));
  return keys;
}

/**
 * A required key that is absent (not merged in either); when an unknown key
 * looks like its misspelling, say so. At the top level, which has no key of
 * its own to underline, that misspelling's own error ("did you mean …?",
 * with its rename fix) is the one error: not a second one on whatever key
 * happens to come first.
 */
function reportMissingKeys(table: KeyTable, map: OutlineMap, ctx: CheckContext, ownerRange: Range): void {
  for (const key of requiredKeys(table)) {
    if (entriesWithMerged(map).some((entry) => entry.key === key)) continue;
    const typo = map.entries.find((entry) => !specOf(table, entry.key) && closest(entry.key, [key]) === key);
    if (typo && map.path.length === 0) continue;
    const hint = typo ? ` (is '${typo.key}' on line ${typo.keyRange.start.line + 1} a typo?)` : '';
    ctx.error('missing-key', ownerRange, `missing required key '${key}' ${whereIs(map.path)}${hint}`);
  }
}
