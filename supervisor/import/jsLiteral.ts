/**
 * Reads the value a JavaScript config file exports — as DATA. The file is
 * parsed with acorn and never evaluated: object and array literals, strings,
 * numbers, booleans and null are values; anything else (a call, a variable,
 * `process.env.X`, a spread) is kept as `other` with its source text and line,
 * so the caller can report exactly what it could not read.
 */
import { parse, type Expression, type Node, type Program, type SpreadElement } from 'acorn';
import { ImportError } from './model';

export type JsValue =
  | { kind: 'literal'; value: string | number | boolean | null; line: number }
  | { kind: 'object'; entries: JsEntry[]; line: number }
  | { kind: 'array'; items: JsValue[]; line: number }
  | { kind: 'other'; description: string; line: number };

export interface JsEntry {
  key: string;
  value: JsValue;
  line: number;
}

type Located = Node & { loc?: { start: { line: number } } | null };

/**
 * The value of `module.exports = …` (or `export default …`), following one
 * top-level `const name = …` when the export is a plain identifier.
 * Throws ImportError for a syntax error or when nothing is exported.
 */
export function readExportedValue(text: string, file: string): JsValue {
  const program = parseProgram(text, file);
  const exported = findExport(program);
  if (!exported) throw new ImportError(file, 'no `module.exports = { apps: [...] }` found');
  const target = exported.type === 'Identifier' ? (topLevelConstant(program, exported.name) ?? exported) : exported;
  return toJsValue(target, text);
}

function parseProgram(text: string, file: string): Program {
  const options = { ecmaVersion: 'latest', locations: true, allowHashBang: true } as const;
  try {
    return parse(text, { ...options, sourceType: file.endsWith('.mjs') ? 'module' : 'script' });
  } catch (scriptError) {
    try {
      return parse(text, { ...options, sourceType: 'module' });
    } catch {
      const error = scriptError as SyntaxError & { loc?: { line: number; column: number } };
      const message = error.message.replace(/ \(\d+:\d+\)$/, '');
      throw new ImportError(file, `invalid JavaScript: ${message}`, error.loc?.line, error.loc && error.loc.column + 1);
    }
  }
}

function findExport(program: Program): Expression | undefined {
  let found: Expression | undefined;
  for (const statement of program.body) {
    if (statement.type === 'ExportDefaultDeclaration' && isExpression(statement.declaration)) found = statement.declaration;
    if (statement.type !== 'ExpressionStatement' || statement.expression.type !== 'AssignmentExpression') continue;
    const { left, right } = statement.expression;
    const isModuleExports =
      left.type === 'MemberExpression' &&
      !left.computed &&
      left.object.type === 'Identifier' &&
      left.object.name === 'module' &&
      left.property.type === 'Identifier' &&
      left.property.name === 'exports';
    if (isModuleExports) found = right;
  }
  return found;
}

function isExpression(node: Node): node is Expression {
  return !/Declaration$/.test(node.type);
}

function topLevelConstant(program: Program, name: string): Expression | undefined {
  for (const statement of program.body) {
    if (statement.type !== 'VariableDeclaration' || statement.kind !== 'const') continue;
    const declarator = statement.declarations.find((candidate) => candidate.id.type === 'Identifier' && candidate.id.name === name);
    if (declarator?.init) return declarator.init;
  }
  return undefined;
}

function toJsValue(node: Expression | SpreadElement, text: string): JsValue {
  const line = lineOf(node);
  switch (node.type) {
    case 'Literal':
      if (node.value === null || ['string', 'number', 'boolean'].includes(typeof node.value)) {
        return { kind: 'literal', value: node.value as string | number | boolean | null, line };
      }
      break;
    case 'TemplateLiteral':
      if (node.expressions.length === 0) return { kind: 'literal', value: node.quasis[0].value.cooked ?? '', line };
      break;
    case 'UnaryExpression':
      if (node.operator === '-' && node.argument.type === 'Literal' && typeof node.argument.value === 'number') {
        return { kind: 'literal', value: -node.argument.value, line };
      }
      break;
    case 'ArrayExpression':
      return { kind: 'array', items: node.elements.map((element) => (element ? toJsValue(element, text) : hole(line))), line };
    case 'ObjectExpression':
      return { kind: 'object', entries: node.properties.map((property) => toEntry(property, text)), line };
  }
  return { kind: 'other', description: describe(node, text), line };
}

function toEntry(property: Extract<Expression, { type: 'ObjectExpression' }>['properties'][number], text: string): JsEntry {
  const line = lineOf(property);
  if (property.type === 'SpreadElement') return { key: '...', value: toJsValue(property, text), line };
  const { key } = property;
  const name = property.computed ? undefined : key.type === 'Identifier' ? key.name : key.type === 'Literal' ? String(key.value) : undefined;
  if (name === undefined) return { key: sourceOf(key, text), value: { kind: 'other', description: 'a computed key', line }, line };
  if (property.kind !== 'init' || property.method) return { key: name, value: { kind: 'other', description: 'a method or accessor', line }, line };
  return { key: name, value: toJsValue(property.value as Expression, text), line };
}

function hole(line: number): JsValue {
  return { kind: 'other', description: 'an empty array slot', line };
}

const KINDS: Record<string, string> = {
  CallExpression: 'a function call',
  NewExpression: 'a constructor call',
  Identifier: 'a variable',
  MemberExpression: 'an expression',
  TemplateLiteral: 'a template with ${…}',
  SpreadElement: 'a spread',
  ArrowFunctionExpression: 'a function',
  FunctionExpression: 'a function',
  ConditionalExpression: 'a conditional',
  BinaryExpression: 'an expression',
  LogicalExpression: 'an expression',
};

/** "`path.join(__dirname, 'api')` (a function call)" */
function describe(node: Node, text: string): string {
  return `\`${sourceOf(node, text)}\` (${KINDS[node.type] ?? 'not a literal'})`;
}

function sourceOf(node: Node, text: string): string {
  const source = text.slice(node.start, node.end).replace(/\s+/g, ' ');
  return source.length > 60 ? `${source.slice(0, 57)}...` : source;
}

function lineOf(node: Node): number {
  return (node as Located).loc?.start.line ?? 1;
}

/** Plain data for a value that is entirely literal; undefined if any part is not. */
export function plainValue(value: JsValue): unknown {
  switch (value.kind) {
    case 'literal':
      return value.value;
    case 'other':
      return undefined;
    case 'array': {
      const items = value.items.map(plainValue);
      return items.includes(undefined) ? undefined : items;
    }
    case 'object': {
      const entries = value.entries.map((entry) => [entry.key, plainValue(entry.value)] as const);
      return entries.some(([, item]) => item === undefined) ? undefined : Object.fromEntries(entries);
    }
  }
}

/** The first part of a value that is not literal, for reporting. */
export function firstNonLiteral(value: JsValue): Extract<JsValue, { kind: 'other' }> | undefined {
  if (value.kind === 'other') return value;
  const children = value.kind === 'array' ? value.items : value.kind === 'object' ? value.entries.map((entry) => entry.value) : [];
  for (const child of children) {
    const found = firstNonLiteral(child);
    if (found) return found;
  }
  return undefined;
}
