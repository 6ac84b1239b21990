/**
 * Quick fixes for the checker's diagnostics. The client sends back the
 * diagnostics it shows; each is matched (code + range) with the checker's
 * own for this document version, which carries the suggestion.
 */
import { CodeActionKind, type CodeAction, type Diagnostic, type TextEdit } from 'vscode-languageserver';
import type { ParsedConfig } from '../../config/check';
import type { ConfigDiagnostic, Range } from '../../config/model';
import { splitLines, textIn } from './text';

/** Codes whose suggestion is the replacement for the diagnostic's range ("did you mean"). */
const REPLACEABLE = new Set(['unknown-key', 'unknown-dependency', 'invalid-value', 'invalid-signal', 'unsupported-version', 'ready-without-probe']);

export function quickFixes(parsed: ParsedConfig, text: string, uri: string, shown: readonly Diagnostic[]): CodeAction[] {
  const lines = splitLines(text);
  return shown.flatMap((diagnostic) => {
    const own = parsed.diagnostics.find((candidate) => candidate.code === diagnostic.code && sameRange(candidate.range, diagnostic.range));
    if (!own) return [];
    const fix = (title: string, edits: TextEdit[], isPreferred = false): CodeAction => ({
      title,
      kind: CodeActionKind.QuickFix,
      diagnostics: [diagnostic],
      ...(isPreferred ? { isPreferred } : {}),
      edit: { changes: { [uri]: edits } },
    });
    const actions: CodeAction[] = [];
    if (own.suggestion !== undefined && REPLACEABLE.has(own.code)) {
      actions.push(fix(`Change to '${own.suggestion}'`, [{ range: own.range, newText: own.suggestion }], own.code !== 'ready-without-probe'));
    }
    if (own.code === 'duplicate-port') actions.push(fix(`Remove duplicate port ${portText(own, lines)}`, [removeListItem(own.range, lines)], true));
    if (own.code === 'ready-without-probe') {
      const probe = addReadyProbe(parsed, own, lines);
      if (probe) actions.unshift(fix(probe.title, [probe.edit], true));
    }
    return actions;
  });
}

function sameRange(a: Range, b: Range): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}

function portText(diagnostic: ConfigDiagnostic, lines: string[]): string {
  return lines[diagnostic.range.start.line].slice(diagnostic.range.start.character, diagnostic.range.end.character);
}

/** Deletes a list item: its whole line in a block list, the item and one comma in a flow list. */
function removeListItem(range: Range, lines: string[]): TextEdit {
  const line = lines[range.start.line];
  const before = line.slice(0, range.start.character);
  if (/^\s*-\s*$/.test(before)) {
    const isLast = range.start.line === lines.length - 1;
    const start = isLast && range.start.line > 0 ? { line: range.start.line - 1, character: lines[range.start.line - 1].length } : { line: range.start.line, character: 0 };
    const end = isLast ? { line: range.start.line, character: line.length } : { line: range.start.line + 1, character: 0 };
    return { range: { start, end }, newText: '' };
  }
  const commaBefore = /,\s*$/.exec(before);
  if (commaBefore) return { range: { start: { line: range.start.line, character: commaBefore.index }, end: range.end }, newText: '' };
  const commaAfter = /^\s*,\s*/.exec(line.slice(range.end.character));
  const end = { line: range.end.line, character: range.end.character + (commaAfter?.[0].length ?? 0) };
  return { range: { start: range.start, end }, newText: '' };
}

/**
 * A `ready:` probe for the dependency a `ready` condition waits for: tcp on
 * its first declared port, else a log probe whose pattern the user edits.
 */
function addReadyProbe(parsed: ParsedConfig, diagnostic: ConfigDiagnostic, lines: string[]): { title: string; edit: TextEdit } | undefined {
  const reference = parsed.outline.references.find((ref) => ref.conditionRange && sameRange(ref.conditionRange, diagnostic.range));
  const target = reference && parsed.outline.workers.find((worker) => worker.name === reference.name);
  if (!target || target.fields.length === 0) return undefined;
  const ports = target.fields.find((field) => field.key === 'ports');
  const port = ports?.valueRange && /\d+/.exec(textIn(ports.valueRange, lines))?.[0];
  const probe = port ? `tcp: ${port}` : 'log: "listening"';
  const title = `Add a ready probe to worker '${target.name}' (${port ? `tcp on port ${port}` : 'a log pattern to edit'})`;
  const [first, last] = [target.fields[0], target.fields[target.fields.length - 1]];
  if (first.keyRange.start.line === target.keyRange.start.line) {
    return { title, edit: { range: { start: last.entryRange.end, end: last.entryRange.end }, newText: `, ready: { ${probe} }` } };
  }
  const indent = ' '.repeat(first.keyRange.start.character);
  const endOfLast = { line: last.entryRange.end.line, character: lines[last.entryRange.end.line].length };
  return { title, edit: { range: { start: endOfLast, end: endOfLast }, newText: `\n${indent}ready:\n${indent}  ${probe}` } };
}
