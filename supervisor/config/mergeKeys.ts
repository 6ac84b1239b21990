/**
 * YAML merge keys: `<<: *base` in a mapping takes the keys of `base` that
 * the mapping does not set itself. A YAML 1.1 feature that docker compose
 * and process-compose files lean on; a YAML 1.2 parser leaves `<<` an
 * ordinary key, so the checker and the importers resolve it here. The
 * mapping's own keys win, then the earlier of several sources
 * (`<<: [*a, *b]`), then a source's own keys over those it merges in turn.
 */
import { isMap, isScalar, isSeq, type Node, type Pair, type YAMLMap } from 'yaml';

export const MERGE_KEY = '<<';

/** Follows an alias to the node it names (null for a broken one). */
export type Resolve = (node: Node | null) => Node | null;

/** Reports a merge value item that is not a mapping or an alias of one. */
export type InvalidMerge = (item: Node | null, resolved: Node | null) => void;

/** `<<` written plainly, or tagged `!!merge`: a quoted '<<' is an ordinary key. */
export function isMergeKey(key: unknown): boolean {
  if (!isScalar(key)) return false;
  // The parser gives a merge key as a symbol when tagged, or when told to merge (the importers are, for toJS).
  if (typeof key.value === 'symbol') return key.value.description === MERGE_KEY;
  return key.value === MERGE_KEY && key.type === 'PLAIN';
}

/** What a merge value names: a mapping, an alias of one, or a list of those. */
export function mergeSources(value: Node | null, resolve: Resolve, invalid: InvalidMerge): YAMLMap[] {
  const items = isSeq(value) ? (value.items as Array<Node | null>) : [value];
  const sources: YAMLMap[] = [];
  for (const item of items) {
    const source = resolve(item);
    if (isMap(source)) sources.push(source);
    else invalid(item, source);
  }
  return sources;
}

/** A pair a merge brings in, with the mapping it is written in. */
export interface MergedPair {
  pair: Pair<Node | null, Node | null>;
  source: YAMLMap;
}

/**
 * Every pair the sources bring in, in precedence order: each source's own
 * pairs, then what it merges in turn. `visited` holds the mappings already
 * taken (the merging one first), so an alias cycle ends.
 */
export function mergedPairs(sources: YAMLMap[], resolve: Resolve, invalid: InvalidMerge, visited: Set<YAMLMap>): MergedPair[] {
  const pairs: MergedPair[] = [];
  for (const source of sources) {
    if (visited.has(source)) continue;
    visited.add(source);
    const own = source.items as Array<Pair<Node | null, Node | null>>;
    pairs.push(...own.filter((pair) => !isMergeKey(pair.key)).map((pair) => ({ pair, source })));
    for (const pair of own) if (isMergeKey(pair.key)) pairs.push(...mergedPairs(mergeSources(pair.value, resolve, invalid), resolve, invalid, visited));
  }
  return pairs;
}
