/**
 * Offsets in the YAML text → 0-based LSP ranges. Every range handed out is
 * non-empty whenever the text is (a zero-width spot is widened to one
 * character) and ends before trailing blanks, so an editor underlines
 * exactly the offending key or value.
 */
import { isNode, type Node, type Pair } from 'yaml';
import type { Position, Range } from './model';

/** Line breaks as LSP counts them. */
const LINE_BREAK = /\r\n|\r|\n/g;

export class SourceMap {
  /** Offset of the first character of each line. Own index, not yaml's LineCounter: that one misses lines the parser skipped while recovering from an error. */
  private readonly lineStarts: number[] = [0];

  constructor(readonly text: string) {
    for (const match of text.matchAll(LINE_BREAK)) this.lineStarts.push(match.index + match[0].length);
  }

  position(offset: number): Position {
    let clamped = Math.max(0, Math.min(offset, this.text.length));
    if (this.text[clamped] === '\n' && this.text[clamped - 1] === '\r') clamped--; // never inside a CRLF
    const line = this.onLine(this.lastLine, clamped) ? this.lastLine : this.lineOf(clamped);
    this.lastLine = line;
    return { line, character: clamped - this.lineStarts[line] };
  }

  /** The line of the previous position() call: the checker asks in document order, mostly on the same line. */
  private lastLine = 0;

  private onLine(line: number, offset: number): boolean {
    return this.lineStarts[line] <= offset && (line + 1 >= this.lineStarts.length || offset < this.lineStarts[line + 1]);
  }

  private lineOf(offset: number): number {
    let [low, high] = [0, this.lineStarts.length - 1];
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.lineStarts[middle] <= offset) low = middle;
      else high = middle - 1;
    }
    return low;
  }

  /** Offset in the text of a 0-based position (inverse of position()). */
  offsetAt(position: Position): number {
    const lineStart = this.lineStarts[position.line] ?? this.text.length;
    return Math.min(lineStart + position.character, this.text.length);
  }

  /** The range of text[start, end), trimmed of trailing blanks, never zero-width on a non-empty text. */
  span(start: number, end: number): Range {
    let from = Math.max(0, Math.min(start, this.text.length));
    let to = Math.max(from, Math.min(end, this.text.length));
    while (to > from && isBlank(this.text.charCodeAt(to - 1))) to--;
    if (to === from) [from, to] = this.widen(from);
    return { start: this.position(from), end: this.position(to) };
  }

  /** The node's own text (without trailing comments), or `fallback` for a node without source. */
  ofNode(node: Node | null | undefined, fallback: Range): Range {
    if (!node?.range || isEmptyValue(node)) return fallback;
    return this.span(node.range[0], node.range[1]);
  }

  /** Key through value of a mapping entry. */
  ofPair(pair: Pair, fallback: Range): Range {
    const key = isNode(pair.key) ? pair.key.range : undefined;
    const value = isNode(pair.value) && !isEmptyValue(pair.value) ? pair.value.range : undefined;
    if (!key) return this.ofNode(isNode(pair.value) ? pair.value : null, fallback);
    return this.span(key[0], value ? value[1] : key[1]);
  }

  private wholeRange?: Range;

  /** The whole text: only for problems that have no node at all (an empty file). */
  whole(): Range {
    this.wholeRange ??= this.span(0, this.text.length);
    return this.wholeRange;
  }

  private widen(offset: number): [number, number] {
    if (offset < this.text.length && !/[\r\n]/.test(this.text[offset])) return [offset, offset + 1];
    let back = offset;
    while (back > 0 && isBlank(this.text.charCodeAt(back - 1))) back--;
    if (back > 0) return [back - 1, back];
    // Only blanks: take one whole line break (CRLF is one), so the range ends at a line start.
    const breakLength = this.text.startsWith('\r\n', offset) ? 2 : 1;
    return [offset, Math.min(offset + breakLength, this.text.length)];
  }
}

/** Space, tab, CR, LF: what YAML treats as blank around a node. */
function isBlank(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13;
}

/** `key:` with nothing after it parses as a zero-width null scalar. */
export function isEmptyValue(node: Node): boolean {
  return !!node.range && node.range[0] === node.range[1];
}

export function contains(outer: Range, inner: Range): boolean {
  return !before(inner.start, outer.start) && !before(outer.end, inner.end);
}

export function before(a: Position, b: Position): boolean {
  return a.line < b.line || (a.line === b.line && a.character < b.character);
}

export function compareRanges(a: Range, b: Range): number {
  return a.start.line - b.start.line || a.start.character - b.start.character;
}
