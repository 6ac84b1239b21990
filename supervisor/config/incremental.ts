/**
 * Parsing steward.yaml one worker at a time, the way a language server
 * re-checks on each keystroke: the header and every worker chunk (see
 * chunks.ts) are parsed separately and cached by their text, their node
 * ranges shifted to where the chunk sits now, and the pieces assembled into
 * the document the whole-text parse would have produced. An edit inside one
 * worker costs one chunk parse.
 *
 * Contract: the result equals parseYaml(text) in everything the checker
 * reads (node structure and ranges, errors, warnings) — the property test in
 * test/unit/config-incremental.test.ts holds it to that. Anything that could
 * differ (a parse problem in any piece, anchors, aliases, explicit tags)
 * makes this return undefined, and the caller parses the whole text.
 */
import { isAlias, isCollection, isMap, isPair, isScalar, parseDocument, YAMLMap, type Document, type Node, type Pair } from 'yaml';
import { splitWorkers } from './chunks';
import type { ParsedYaml } from './parse';
import { SourceMap } from './ranges';

/** Enough for several versions of a few large configs; each entry is one small parsed mapping. */
const MAX_CACHED_PIECES = 2048;

interface CachedChunk {
  /** The chunk's one entry (worker name → definition), ranges relative to `base`. */
  pair: Pair<Node, Node | null>;
  /** The chunk's mapping range relative to `base`. */
  mapRange: [number, number, number];
  /** Offset the ranges currently count from. */
  base: number;
}

/** Text → parsed piece; `false` marks a piece that cannot be used (the whole text is parsed then). */
const chunkCache = new Map<string, CachedChunk | false>();
const headerCache = new Map<string, Document.Parsed | false>();

/** The parse of `text` assembled from cached pieces, or undefined when the whole text must be parsed. */
export function parseYamlIncrementally(text: string): ParsedYaml | undefined {
  const split = splitWorkers(text);
  if (!split) return undefined;
  const header = cached(headerCache, split.header, parseHeader);
  if (!header) return undefined;
  const used = new Set<CachedChunk>();
  const pairs: Pair<Node, Node | null>[] = [];
  let first: CachedChunk | undefined;
  let last: CachedChunk | undefined;
  for (const { offset, text: chunkText } of split.chunks) {
    let chunk = cached(chunkCache, chunkText, parseChunk);
    if (!chunk) return undefined;
    // The same text twice in one document (a copied worker) needs its own nodes: ranges differ.
    if (used.has(chunk)) chunk = parseChunk(chunkText) as CachedChunk;
    used.add(chunk);
    moveTo(chunk, offset);
    pairs.push(chunk.pair);
    first ??= chunk;
    last = chunk;
  }
  const doc = assemble(header, pairs, [first!.mapRange[0], last!.mapRange[1], last!.mapRange[2]]);
  return { doc, source: new SourceMap(text), diagnostics: [] };
}

/** Hits move to the back of the map's order, so the first key is always the least recently used. */
function cached<T>(cache: Map<string, T | false>, text: string, parse: (text: string) => T | false): T | false {
  let found = cache.get(text);
  if (found === undefined) {
    found = parse(text);
    if (cache.size >= MAX_CACHED_PIECES) cache.delete(cache.keys().next().value as string);
  } else {
    cache.delete(text);
  }
  cache.set(text, found);
  return found;
}

function parseClean(text: string): Document.Parsed | false {
  const doc = parseDocument(text, { uniqueKeys: false, prettyErrors: false, keepSourceTokens: false });
  return doc.errors.length === 0 && doc.warnings.length === 0 ? doc : false;
}

/** The header must end in `workers:` with nothing after it: its value is where the workers go. */
function parseHeader(text: string): Document.Parsed | false {
  const doc = parseClean(text);
  const root = doc && doc.contents;
  if (!isMap(root)) return false;
  const last = root.items[root.items.length - 1];
  const emptyValue = isScalar(last?.value) && last.value.value === null && last.value.range?.[0] === last.value.range?.[1];
  return isScalar(last?.key) && last.key.value === 'workers' && emptyValue ? doc : false;
}

function parseChunk(text: string): CachedChunk | false {
  const doc = parseClean(text);
  const root = doc && doc.contents;
  if (!isMap(root) || root.items.length !== 1 || !root.range) return false;
  const pair = root.items[0] as Pair<Node, Node | null>;
  if (!isPlain(pair.key) || !isPlain(pair.value)) return false;
  return { pair, mapRange: [...root.range], base: 0 };
}

/** No anchor, alias or explicit tag anywhere below: those are what a separate parse could read differently. */
function isPlain(node: unknown): boolean {
  if (node === null) return true;
  if (isPair(node)) return isPlain(node.key) && isPlain(node.value);
  if (isAlias(node) || !(isScalar(node) || isCollection(node))) return false;
  if (node.anchor !== undefined || node.tag !== undefined) return false;
  return !isCollection(node) || node.items.every(isPlain);
}

/** Shifts every range of the chunk so that it counts from `offset`. */
function moveTo(chunk: CachedChunk, offset: number): void {
  const delta = offset - chunk.base;
  if (delta === 0) return;
  shift(chunk.mapRange, delta);
  shiftNode(chunk.pair, delta);
  chunk.base = offset;
}

function shiftNode(node: unknown, delta: number): void {
  if (isPair(node)) {
    shiftNode(node.key, delta);
    shiftNode(node.value, delta);
  } else if (isScalar(node) || isCollection(node)) {
    if (node.range) shift(node.range, delta);
    if (isCollection(node)) for (const item of node.items) shiftNode(item, delta);
  }
}

function shift(range: [number, number, number], delta: number): void {
  range[0] += delta;
  range[1] += delta;
  range[2] += delta;
}

/**
 * A copy of the header with the workers in its `workers:` entry; the root
 * then ends where the last worker does. A copy, so that a cached header
 * never holds on to (or shares) one check's workers.
 */
function assemble(header: Document.Parsed, pairs: Pair<Node, Node | null>[], range: [number, number, number]): Document.Parsed {
  const doc = header.clone() as Document.Parsed;
  const root = doc.contents as YAMLMap<Node, Node | null>;
  const workers = new YAMLMap<Node, Node | null>();
  workers.items = pairs;
  workers.range = range;
  root.items[root.items.length - 1].value = workers;
  root.range = [root.range![0], range[1], range[2]];
  return doc;
}
