/**
 * The outline view and folding: the top-level keys, `workers` holding one
 * symbol per worker, each holding its fields (with their value as detail);
 * every key whose entry spans lines (a worker, a block) folds.
 */
import { SymbolKind, type DocumentSymbol, type FoldingRange } from 'vscode-languageserver';
import type { ParsedConfig } from '../../config/check';
import type { Range } from '../../config/model';
import type { OutlineEntry } from '../../config/outline';
import { splitLines, textIn } from './text';

const DETAIL_MAX = 60;

export function documentSymbols(parsed: ParsedConfig, text: string): DocumentSymbol[] {
  const root = parsed.outline.maps.find((map) => map.path.length === 0);
  const lines = splitLines(text);
  return (root?.entries ?? []).map((entry) => entrySymbol(entry, lines, entry.key === 'workers' ? SymbolKind.Module : SymbolKind.Property));
}

function entrySymbol(entry: OutlineEntry, lines: string[], kind: SymbolKind): DocumentSymbol {
  const isWorkers = entry.path.length === 1 && entry.key === 'workers';
  const isWorker = entry.path.length === 2 && entry.path[0] === 'workers';
  const childKind = isWorkers ? SymbolKind.Class : SymbolKind.Property;
  const children = isWorkers || isWorker ? (entry.map?.entries ?? []).map((child) => entrySymbol(child, lines, childKind)) : undefined;
  const command = isWorker ? entry.map?.entries.find((child) => child.key === 'command') : undefined;
  const detail = children === undefined ? valueText(entry.valueRange, lines) : valueText(command?.valueRange, lines);
  return {
    name: entry.key,
    kind,
    range: entry.entryRange,
    selectionRange: entry.keyRange,
    ...(detail ? { detail } : {}),
    ...(children ? { children } : {}),
  };
}

/** The value as written, on one line, shortened. */
function valueText(range: Range | undefined, lines: string[]): string | undefined {
  if (!range) return undefined;
  const text = textIn(range, lines);
  const oneLine = text.trim().replace(/\s+/g, ' ');
  return oneLine.length > DETAIL_MAX ? `${oneLine.slice(0, DETAIL_MAX - 1)}…` : oneLine;
}

export function foldingRanges(parsed: ParsedConfig): FoldingRange[] {
  const ranges: FoldingRange[] = [];
  for (const map of parsed.outline.maps) {
    for (const entry of map.entries) {
      const { start, end } = entry.entryRange;
      const endLine = end.character === 0 ? end.line - 1 : end.line;
      if (endLine > start.line) ranges.push({ startLine: start.line, endLine });
    }
  }
  return ranges.sort((a, b) => a.startLine - b.startLine);
}
