/** Values with inner structure: env maps, port lists, depends_on, tcp probe targets. */
import { isMap, isScalar, isSeq, type Node, type YAMLMap } from 'yaml';
import { describeNode, type CheckContext } from './context';
import { envVariableProblem } from './envFiles';
import { DEPENDENCY_CONDITIONS, ENV_NAME_PATTERN } from './keys';
import { forEachPair } from './mapping';
import type { Dependency, DependencyCondition, Range } from './model';
import type { OutlineEntry } from './outline';
import { closest, didYouMean } from './suggest';

const ENV_NAME = new RegExp(ENV_NAME_PATTERN);
const MAX_PORT = 65_535;

export interface PortDeclaration {
  port: number;
  range: Range;
}

export function readEnv(node: Node | null, ctx: CheckContext, entry: OutlineEntry): Record<string, string> | undefined {
  if (!isMap(node)) return wrongType(ctx, entry, node, 'a mapping of variable names to strings');
  const env: Record<string, string> = {};
  entry.map = forEachPair(node, entry.path, ctx, (name, raw, variable) => {
    const value = scalarOf(ctx.resolve(raw));
    if (!ENV_NAME.test(name)) {
      ctx.error('invalid-env-name', variable.keyRange, `'${name}' is not a valid environment variable name (letters, digits and _, not starting with a digit)`);
    } else if (value === null || value === undefined) {
      const got = describeNode(ctx.resolve(raw));
      const hint = got === 'nothing' ? ` (write ${name}: "" for an empty value)` : '';
      ctx.error('invalid-env-value', variable.valueRange ?? variable.keyRange, `expected a string value for environment variable '${name}', got ${got}${hint}`);
    } else {
      const problem = envVariableProblem(name, String(value));
      if (problem) ctx.error('invalid-env-value', variable.valueRange ?? variable.keyRange, problem);
      else env[name] = String(value);
    }
  });
  return env;
}

function scalarOf(node: Node | null): unknown {
  return isScalar(node) && typeof node.value !== 'object' ? node.value : undefined;
}

export function readPorts(node: Node | null, ctx: CheckContext, entry: OutlineEntry): PortDeclaration[] | undefined {
  if (!isSeq(node)) {
    const single = scalarOf(node);
    const suggestion = typeof single === 'number' ? `[${single}]` : undefined;
    return wrongType(ctx, entry, node, 'a list of port numbers', suggestion);
  }
  const ports: PortDeclaration[] = [];
  for (const item of node.items as (Node | null)[]) {
    const range = ctx.source.ofNode(item, entry.valueRange ?? entry.keyRange);
    const port = asPort(scalarOf(ctx.resolve(item)));
    if (port === undefined) {
      ctx.error('invalid-port', range, `expected a port number between 1 and ${MAX_PORT}, got ${describeNode(ctx.resolve(item))}`);
    } else {
      ports.push({ port, range });
    }
  }
  return ports;
}

function asPort(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_PORT ? value : undefined;
}

/** `tcp: 5432` (127.0.0.1) or `tcp: "db.local:5432"` / `"[::1]:5432"`. */
export function readTcpTarget(node: Node | null, ctx: CheckContext, entry: OutlineEntry): { host: string; port: number } | undefined {
  const value = scalarOf(node);
  const text = typeof value === 'string' ? value.trim() : undefined;
  const colon = text?.lastIndexOf(':') ?? -1;
  const port = typeof value === 'number' ? asPort(value) : text && colon > 0 ? asPort(Number(text.slice(colon + 1))) : asPort(Number(text));
  if (port !== undefined) {
    const host = text && colon > 0 ? text.slice(0, colon).replace(/^\[(.*)\]$/, '$1') : '127.0.0.1';
    return { host, port };
  }
  ctx.error('invalid-tcp-target', entry.valueRange ?? entry.keyRange, `expected a port number or 'host:port' for 'tcp', got ${describeNode(node)}`);
  return undefined;
}

/** `[db, cache]` (each `started`) or `{ db: ready, cache: started }`; records each name in the outline. */
export function readDependsOn(node: Node | null, ctx: CheckContext, entry: OutlineEntry): Dependency[] | undefined {
  if (isMap(node)) return readDependencyMap(node, ctx, entry);
  if (!isSeq(node)) return wrongType(ctx, entry, node, 'a list of worker names or a mapping of worker names to started or ready');
  const dependencies: Dependency[] = [];
  for (const item of node.items as (Node | null)[]) {
    const range = ctx.source.ofNode(item, entry.valueRange ?? entry.keyRange);
    const name = scalarOf(ctx.resolve(item));
    if (typeof name !== 'string' && typeof name !== 'number') {
      ctx.error('wrong-type', range, `expected a worker name, got ${describeNode(ctx.resolve(item))}`);
    } else if (dependencies.some((dependency) => dependency.name === String(name))) {
      ctx.warning('duplicate-dependency', range, `'${name}' is listed twice in depends_on`);
    } else {
      dependencies.push({ name: String(name), condition: 'started' });
      ctx.outline.references.push({ name: String(name), worker: entry.path[1], range });
    }
  }
  return dependencies;
}

function readDependencyMap(node: YAMLMap, ctx: CheckContext, entry: OutlineEntry): Dependency[] {
  const dependencies: Dependency[] = [];
  entry.map = forEachPair(node, entry.path, ctx, (name, raw, dependency) => {
    const value = scalarOf(ctx.resolve(raw));
    const condition = DEPENDENCY_CONDITIONS.find((known) => known === value);
    const reference = { name, worker: entry.path[1], range: dependency.keyRange };
    ctx.outline.references.push(condition ? { ...reference, condition, conditionRange: dependency.valueRange } : reference);
    if (condition) {
      dependencies.push({ name, condition: condition as DependencyCondition });
      return;
    }
    const suggestion = typeof value === 'string' ? closest(value, DEPENDENCY_CONDITIONS) : undefined;
    const message = `expected started, ready or completed for dependency '${name}', got ${describeNode(ctx.resolve(raw))}${didYouMean(suggestion)}`;
    ctx.error('invalid-value', dependency.valueRange ?? dependency.keyRange, message, suggestion);
  });
  return dependencies;
}

function wrongType(ctx: CheckContext, entry: OutlineEntry, node: Node | null, expected: string, suggestion?: string): undefined {
  ctx.error('wrong-type', entry.valueRange ?? entry.keyRange, `expected ${expected} for '${entry.key}', got ${describeNode(node)}`, suggestion);
  return undefined;
}
