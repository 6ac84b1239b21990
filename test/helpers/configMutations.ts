/**
 * Structure-aware mutations of valid steward.yaml files, for property and
 * chaos tests: keys dropped, renamed, duplicated, values swapped for other
 * types, junk inserted, text truncated or spliced (CR/CRLF included). And
 * the property every check result must have: ranges inside the document,
 * the model present exactly when there is no error.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isMap, isPair, parseDocument, visit, type Document, type Pair, type YAMLMap } from 'yaml';
import type { ParsedConfig } from '../../supervisor/config/check';
import type { Range } from '../../supervisor/config/model';

export const VALID = resolve(__dirname, '../fixtures/config/valid');
const SEEDS = ['full.yaml', 'minimal.yaml', 'anchors.yaml'].map((name) => readFileSync(join(VALID, name), 'utf8'));

const KEYS = ['version', 'workers', 'command', 'cwd', 'env', 'ports', 'depends_on', 'ready', 'tcp', 'http', 'log', 'exec', 'timeout', 'restart', 'stop', 'signal', 'replicas', 'api', 'db', 'web'];
const junkScalar = fc.oneof(
  fc.integer({ min: -5, max: 70_000 }),
  fc.string({ maxLength: 12 }),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('5s', '10', 'ready', 'started', 'SIGTERM', 'api', 'db', '(', 'http://x', 'localhost:3000', '../app', 'nope/dir'),
);
const junkValue = fc.oneof(
  junkScalar,
  fc.array(junkScalar, { maxLength: 3 }),
  fc.dictionary(fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 6 })), junkScalar, { maxKeys: 3 }),
);
const keyName = fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 10 }));

type AstMutation =
  | { op: 'drop'; at: number }
  | { op: 'swap'; at: number; value: unknown }
  | { op: 'rename'; at: number; name: string }
  | { op: 'duplicate'; at: number }
  | { op: 'insert'; at: number; name: string; value: unknown };

const astMutation: fc.Arbitrary<AstMutation> = fc.oneof(
  fc.record({ op: fc.constant('drop' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('swap' as const), at: fc.nat(), value: junkValue }),
  fc.record({ op: fc.constant('rename' as const), at: fc.nat(), name: keyName }),
  fc.record({ op: fc.constant('duplicate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), name: keyName, value: junkValue }),
);

type TextMutation = { op: 'truncate'; at: number } | { op: 'splice'; at: number; remove: number; insert: string };

const textMutation: fc.Arbitrary<TextMutation> = fc.oneof(
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    op: fc.constant('splice' as const),
    at: fc.nat(),
    remove: fc.nat({ max: 6 }),
    insert: fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom(':', '- ', '\n  ', '[', '{', '"', '&a ', '*a', '!!map ', '\t', '\r\n', '\r', '#', '---\n')),
  }),
);

/** Every (pair, the map holding it) in document order. */
function pairsOf(doc: Document): [Pair, YAMLMap][] {
  const found: [Pair, YAMLMap][] = [];
  visit(doc, {
    Map: (_, map) => {
      for (const item of map.items) if (isPair(item)) found.push([item, map]);
    },
  });
  return found;
}

function applyAst(doc: Document, mutation: AstMutation): void {
  const pairs = pairsOf(doc);
  if (pairs.length === 0) return;
  const [pair, map] = pairs[mutation.at % pairs.length];
  if (mutation.op === 'drop') map.items.splice(map.items.indexOf(pair), 1);
  if (mutation.op === 'swap') pair.value = doc.createNode(mutation.value);
  if (mutation.op === 'rename') pair.key = doc.createNode(mutation.name);
  if (mutation.op === 'duplicate') map.items.push(pair.clone());
  if (mutation.op === 'insert') (isMap(pair.value) ? pair.value : map).items.push(doc.createPair(mutation.name, mutation.value));
}

function applyText(text: string, mutation: TextMutation): string {
  const at = text.length === 0 ? 0 : mutation.at % (text.length + 1);
  if (mutation.op === 'truncate') return text.slice(0, at);
  return text.slice(0, at) + mutation.insert + text.slice(at + mutation.remove);
}

function mutatedConfig(seed: number, astMutations: AstMutation[], textMutations: TextMutation[]): string {
  const doc = parseDocument(SEEDS[seed]);
  for (const mutation of astMutations) applyAst(doc, mutation);
  return textMutations.reduce(applyText, printable(doc) ?? SEEDS[seed]);
}

/** The mutated document as text; undefined when a mutation left an alias without its anchor (yaml cannot print that). */
function printable(doc: Document): string | undefined {
  try {
    return doc.toString();
  } catch {
    return undefined;
  }
}

export const mutatedConfigs = fc
  .tuple(fc.nat({ max: SEEDS.length - 1 }), fc.array(astMutation, { maxLength: 4 }), fc.array(textMutation, { maxLength: 2 }))
  .map(([seed, ast, text]) => mutatedConfig(seed, ast, text));

function assertInside(range: Range, lines: string[], nonEmpty: boolean, what: string): void {
  const { start, end } = range;
  for (const position of [start, end]) {
    assert.ok(position.line >= 0 && position.line < lines.length, `${what}: line ${position.line} outside the document`);
    assert.ok(position.character >= 0 && position.character <= lines[position.line].length, `${what}: character outside line ${position.line}`);
  }
  const ordered = start.line < end.line || (start.line === end.line && start.character <= end.character);
  assert.ok(ordered, `${what}: ends before it starts`);
  if (nonEmpty) assert.ok(start.line !== end.line || start.character !== end.character, `${what}: zero-width range`);
}

export function assertWellFormed(text: string, parsed: ParsedConfig): void {
  const lines = text.split(/\r\n|\r|\n/);
  for (const diagnostic of parsed.diagnostics) {
    assertInside(diagnostic.range, lines, text.length > 0, `${diagnostic.code} '${diagnostic.message}'`);
    assert.match(diagnostic.message, /^[a-z'"]/, 'messages start in lowercase');
  }
  for (const map of parsed.outline.maps) {
    for (const entry of map.entries) assertInside(entry.keyRange, lines, true, `key ${entry.key}`);
  }
  for (const reference of parsed.outline.references) assertInside(reference.range, lines, true, `reference ${reference.name}`);
  const hasError = parsed.diagnostics.some((diagnostic) => diagnostic.severity === 'error');
  assert.equal(parsed.config === undefined, hasError, 'the model is present iff there is no error');
}
