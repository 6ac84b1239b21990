/**
 * Where the cursor is in a steward.yaml that is being typed — read from the
 * text by indentation and brackets, not from the YAML tree, because while
 * typing the text is usually broken (`    rest`, `depends_on: [ap`).
 *
 * Paths are spelled as in outline.ts: `[]` root, `['workers', 'api']` the
 * worker api, `['workers', 'api', 'depends_on']` its dependency map.
 */
import { MERGE_KEY } from '../../config/mergeKeys';
import type { Position, Range } from '../../config/model';
import { splitLines } from './text';

export type CursorContext =
  /** Typing a key of the mapping at `path`; `flow`: a `{ … }` mapping, where a value must stay on the line. */
  | { kind: 'key'; path: string[]; word: Range; siblings: string[]; colonFollows: boolean; flow: boolean }
  /** Typing the value of `key` in the mapping at `path`. */
  | { kind: 'value'; path: string[]; key: string; word: Range }
  /** Typing an item of the list that is the value of `key` in the mapping at `path`. */
  | { kind: 'item'; path: string[]; key: string; word: Range; siblings: string[] };

interface Line {
  indent: number;
  /** Content after the indentation and any `- ` list marker. */
  content: string;
  isItem: boolean;
}

const WORD_BEFORE = /[A-Za-z0-9_.$-]*$/;
const KEY_LINE = /^([^\s:#][^:#]*?)\s*:(?:\s|$)/;

function readLine(text: string): Line | undefined {
  const match = /^(\s*)(-\s+)?(.*)$/.exec(text)!;
  const content = match[3];
  if (content.trim() === '' && !match[2]) return undefined;
  if (content.startsWith('#')) return undefined;
  return { indent: match[1].length, content, isItem: match[2] !== undefined };
}

function keyOf(content: string): string | undefined {
  return KEY_LINE.exec(content)?.[1].replace(/^["']|["']$/g, '');
}

export function cursorContext(text: string, position: Position): CursorContext {
  const lines = splitLines(text);
  const full = lines[position.line] ?? '';
  const prefix = full.slice(0, position.character);
  const wordText = WORD_BEFORE.exec(prefix)![0];
  const word: Range = { start: { line: position.line, character: position.character - wordText.length }, end: position };
  const marker = /^(\s*)(-\s+)?/.exec(prefix)!;
  const indent = marker[1].length;
  const blockPath = ancestorsOf(lines, position.line, indent, marker[2] !== undefined);
  const flow = flowContext(prefix.slice(marker[0].length), blockPath, word);
  if (flow) return flow;
  const content = prefix.slice(marker[0].length);
  const key = keyOf(content);
  if (marker[2] !== undefined) {
    const owner = blockPath[blockPath.length - 1] ?? '';
    return { kind: 'item', path: blockPath.slice(0, -1), key: owner, word, siblings: itemSiblings(lines, position.line, indent) };
  }
  if (key !== undefined) return { kind: 'value', path: blockPath, key, word };
  const colonFollows = /^[A-Za-z0-9_.-]*\s*:/.test(full.slice(position.character));
  return { kind: 'key', path: blockPath, word, siblings: keySiblings(lines, position.line, indent), colonFollows, flow: false };
}

/**
 * The keys of the block mappings enclosing `lineNumber`, outermost first.
 * A list item may sit at its key's own indentation (`depends_on:\n- db`).
 */
function ancestorsOf(lines: string[], lineNumber: number, indent: number, isItem: boolean): string[] {
  const path: string[] = [];
  let limit = indent;
  let allowEqual = isItem;
  for (let index = lineNumber - 1; index >= 0 && limit > 0; index--) {
    const line = readLine(lines[index]);
    if (!line) continue;
    const opensBlock = line.content.trimEnd().endsWith(':');
    if (line.indent < limit || (allowEqual && line.indent === limit && opensBlock && !line.isItem)) {
      const key = keyOf(line.content);
      if (key === undefined || line.isItem) break;
      path.unshift(key);
      limit = line.indent;
      allowEqual = false;
    }
  }
  return path;
}

/**
 * What `pick` finds on the lines of the block around `lineNumber` (above and
 * below, the line itself excluded), up to a line indented less than
 * `indent` or one for which `pick` returns null.
 */
function collectAround(lines: string[], lineNumber: number, indent: number, pick: (line: Line) => string | undefined | null): string[] {
  const found: string[] = [];
  for (const step of [-1, 1]) {
    for (let index = lineNumber + step; index >= 0 && index < lines.length; index += step) {
      const line = readLine(lines[index]);
      if (!line) continue;
      const picked = line.indent < indent ? null : pick(line);
      if (picked === null) break;
      if (picked !== undefined) found.push(picked);
    }
  }
  return found;
}

/** Keys at `indent` in the same block as `lineNumber`. */
function keySiblings(lines: string[], lineNumber: number, indent: number): string[] {
  return collectAround(lines, lineNumber, indent, (line) => (line.indent === indent && !line.isItem ? keyOf(line.content) : undefined));
}

/** The other `- item` values of the same block list. */
function itemSiblings(lines: string[], lineNumber: number, indent: number): string[] {
  return collectAround(lines, lineNumber, indent, (line) => {
    if (line.indent > indent) return undefined;
    return line.isItem ? line.content.trim().replace(/^["']|["']$/g, '') : null;
  });
}

/** Inside an unclosed `{` or `[` on the cursor's line: the flow collection's context, else undefined. */
function flowContext(content: string, blockPath: string[], word: Range): CursorContext | undefined {
  const open: { char: string; key: string; at: number }[] = [];
  let segmentStart = 0;
  let quote: string | undefined;
  for (let index = 0; index < content.length; index++) {
    const char = content[index];
    if (quote) {
      if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") {
      quote = char;
    } else if (char === '{' || char === '[') {
      open.push({ char, key: keyOf(content.slice(segmentStart, index).trim()) ?? '', at: index + 1 });
      segmentStart = index + 1;
    } else if (char === '}' || char === ']') {
      open.pop();
    } else if (char === ',') {
      segmentStart = index + 1;
    }
  }
  if (open.length === 0) return undefined;
  const path = [...blockPath, ...open.slice(0, -1).map((entry) => entry.key)];
  const innermost = open[open.length - 1];
  const segment = content.slice(segmentStart);
  const inside = content.slice(innermost.at);
  if (innermost.char === '[') {
    const items = inside.split(',').slice(0, -1).map((item) => item.trim().replace(/^["']|["']$/g, ''));
    return { kind: 'item', path, key: innermost.key, word, siblings: items };
  }
  const written = [...`,${inside}`.matchAll(/,\s*([A-Za-z0-9_-]+)\s*:/g)].map((match) => match[1]);
  const key = keyOf(segment.trim());
  if (key !== undefined) return { kind: 'value', path: [...path, innermost.key], key, word };
  return { kind: 'key', path: [...path, innermost.key], word, siblings: written, colonFollows: false, flow: true };
}

/** Names of the workers in the text's `workers:` block (block style), in file order. */
export function workerNamesInText(text: string): string[] {
  const lines = splitLines(text);
  const start = lines.findIndex((line) => /^workers\s*:\s*(#.*)?$/.test(line));
  if (start < 0) return [];
  const names: string[] = [];
  let workerIndent: number | undefined;
  for (const raw of lines.slice(start + 1)) {
    const line = readLine(raw);
    if (!line) continue;
    if (line.indent === 0) break;
    workerIndent ??= line.indent;
    const key = line.indent === workerIndent && !line.isItem ? keyOf(line.content) : undefined;
    if (key !== undefined && key !== MERGE_KEY) names.push(key);
  }
  return names;
}
