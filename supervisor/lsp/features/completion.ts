/**
 * Completion from the cursor's context (cursorContext.ts), so it works on
 * the half-typed text it is asked about: keys of the mapping at hand (minus
 * those already written), values with a fixed set, worker names inside
 * `depends_on`, and snippets for a new worker. Every item replaces the word
 * before the cursor.
 */
import { CompletionItemKind, InsertTextFormat, MarkupKind, type CompletionItem } from 'vscode-languageserver';
import { DEPENDENCY_CONDITIONS, keysAt, keySpecAt, type KeySpec, type ValueType } from '../../config/keys';
import type { Position, Range } from '../../config/model';
import { SIGNAL_NAMES } from '../../config/strings';
import { cursorContext, workerNamesInText, type CursorContext } from './cursorContext';
import { splitLines } from './text';
import { keyMarkdown, typeLabel } from './keyDocs';

/** Signals people stop dev servers with, offered before the rest. */
const COMMON_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGHUP', 'SIGKILL', 'SIGUSR1', 'SIGUSR2'];

/** `body` for a block mapping, `flowBody` for inside `{ … }`, where everything stays on one line. */
const NEW_WORKER_SNIPPETS: { label: string; detail: string; body: string; flowBody: string }[] = [
  {
    label: 'worker',
    detail: 'a new worker with a port and a ready probe',
    body: '${1:name}:\n  command: ${2:npm run dev}\n  cwd: ${3:.}\n  ports: [${4:3000}]\n  ready:\n    tcp: ${4}\n  restart: ${5|on-failure,always,never|}',
    flowBody: '${1:name}: { command: ${2:npm run dev}, cwd: ${3:.}, ports: [${4:3000}], ready: { tcp: ${4} }, restart: ${5|on-failure,always,never|} }',
  },
  { label: 'worker (command only)', detail: 'a new worker', body: '${1:name}:\n  command: ${0:npm run dev}', flowBody: '${1:name}: { command: ${0:npm run dev} }' },
];

export function completionsAt(text: string, position: Position): CompletionItem[] {
  const context = cursorContext(text, position);
  switch (context.kind) {
    case 'key':
      return keyCompletions(context, text);
    case 'value': {
      const items = valueCompletions(context.path, context.key, context.word);
      return followsColon(text, context.word) ? items.map(withLeadingSpace) : items;
    }
    case 'item':
      return isDependsOn(context.path, context.key) ? workerNameItems(text, context.path[1], context.siblings, context.word) : [];
  }
}

function keyCompletions(context: Extract<CursorContext, { kind: 'key' }>, text: string): CompletionItem[] {
  const { path, word, flow } = context;
  if (path.length === 1 && path[0] === 'workers') return NEW_WORKER_SNIPPETS.map((snippet) => snippetItem(snippet, flow ? snippet.flowBody : snippet.body, word));
  if (isDependsOn(path.slice(0, -1), path[path.length - 1])) {
    return workerNameItems(text, path[1], context.siblings, word).map((item) => ({ ...item, textEdit: { range: word, newText: `${item.label}: ` } }));
  }
  const table = keysAt(path);
  if (!table) return [];
  return Object.entries(table)
    .filter(([key]) => !context.siblings.includes(key))
    .map(([key, spec], index) => keyItem(key, spec, index, context.colonFollows ? key : keySnippet(key, spec.type, flow), word));
}

function keyItem(key: string, spec: KeySpec, index: number, newText: string, word: Range): CompletionItem {
  return {
    label: key,
    kind: CompletionItemKind.Property,
    detail: typeLabel(spec.type).replace(/`/g, ''),
    documentation: { kind: MarkupKind.Markdown, value: keyMarkdown(key, spec) },
    sortText: String(index).padStart(2, '0'),
    insertTextFormat: InsertTextFormat.Snippet,
    textEdit: { range: word, newText },
  };
}

/** What typing the key inserts: the value's usual shape, with tab stops; in a flow mapping `{ … }`, on the same line. */
function keySnippet(key: string, type: ValueType, flow: boolean): string {
  switch (type.kind) {
    case 'version':
      return `${key}: 1`;
    case 'enum':
      return `${key}: \${1|${type.values.join(',')}|}`;
    case 'ports':
    case 'dependsOn':
      return `${key}: [$0]`;
    case 'object':
      return type.exactlyOneOf ? nested(key, `\${1|${type.exactlyOneOf.join(',')}|}: $0`, flow) : nested(key, '$0', flow);
    case 'env':
    case 'workers':
      return nested(key, '$0', flow);
    default:
      return `${key}: $0`;
  }
}

/** `key` holding a mapping that starts with `content`. */
function nested(key: string, content: string, flow: boolean): string {
  return flow ? `${key}: { ${content} }` : `${key}:\n  ${content}`;
}

function valueCompletions(path: string[], key: string, word: Range): CompletionItem[] {
  if (path.length === 3 && path[0] === 'workers' && path[2] === 'depends_on') return valueItems(DEPENDENCY_CONDITIONS, word);
  const type = keySpecAt([...path, key])?.type;
  if (type?.kind === 'enum') return valueItems(type.values, word);
  if (type?.kind === 'version') return valueItems(['1'], word);
  if (type?.kind === 'signal') return valueItems([...COMMON_SIGNALS, ...SIGNAL_NAMES.filter((name) => !COMMON_SIGNALS.includes(name))], word);
  return [];
}

/** `restart:|` — a value typed right after the colon needs a space before it to be YAML. */
function followsColon(text: string, word: Range): boolean {
  return splitLines(text)[word.start.line]?.[word.start.character - 1] === ':';
}

function withLeadingSpace(item: CompletionItem): CompletionItem {
  const edit = item.textEdit && 'range' in item.textEdit ? item.textEdit : undefined;
  return edit ? { ...item, filterText: item.label, textEdit: { ...edit, newText: ` ${edit.newText}` } } : item;
}

function valueItems(values: readonly string[], word: Range): CompletionItem[] {
  return values.map((value, index) => ({
    label: value,
    kind: CompletionItemKind.EnumMember,
    sortText: String(index).padStart(2, '0'),
    textEdit: { range: word, newText: value },
  }));
}

function isDependsOn(path: string[], key: string): boolean {
  return path.length === 2 && path[0] === 'workers' && key === 'depends_on';
}

/** Worker names for a depends_on of `self`: never itself, never one already listed. */
function workerNameItems(text: string, self: string, listed: string[], word: Range): CompletionItem[] {
  return workerNamesInText(text)
    .filter((name) => name !== self && !listed.includes(name))
    .map((name) => ({ label: name, kind: CompletionItemKind.Reference, detail: 'worker', textEdit: { range: word, newText: name } }));
}

function snippetItem(snippet: (typeof NEW_WORKER_SNIPPETS)[number], body: string, word: Range): CompletionItem {
  return {
    label: snippet.label,
    kind: CompletionItemKind.Snippet,
    detail: snippet.detail,
    insertTextFormat: InsertTextFormat.Snippet,
    textEdit: { range: word, newText: body },
  };
}
