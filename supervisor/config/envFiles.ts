/**
 * `env_file`: dotenv files whose variables a worker gets (Procfile runners
 * such as foreman read `.env`; compose has `env_file`). One path or a list,
 * relative to steward.yaml, parsed by `dotenv`; a later file wins over an
 * earlier one, the worker's own `env` over every file. A file is read at
 * every check, so the merged variables are part of the worker's spec and a
 * reload restarts exactly the workers whose environment an edit changed.
 */
import { isAbsolute, resolve } from 'node:path';
import { parse } from 'dotenv';
import { isScalar, isSeq, type Node } from 'yaml';
import { describeNode, type CheckContext } from './context';
import type { Range } from './model';
import type { OutlineEntry } from './outline';

/** The variables of the files `node` names, merged in order; undefined when one of them cannot be used (reported). */
export function readEnvFiles(node: Node | null, ctx: CheckContext, entry: OutlineEntry): Record<string, string> | undefined {
  const fallback = entry.valueRange ?? entry.keyRange;
  const items: { node: Node | null; range: Range }[] = isSeq(node)
    ? (node.items as (Node | null)[]).map((item) => ({ node: ctx.resolve(item), range: ctx.source.ofNode(item, fallback) }))
    : [{ node, range: fallback }];
  if (items.length === 0) ctx.warning('empty-env-file-list', fallback, "'env_file' lists no file");
  let usable = true;
  const merged: Record<string, string> = {};
  for (const item of items) {
    const vars = readOne(item.node, item.range, ctx);
    if (vars) Object.assign(merged, vars);
    else usable = false;
  }
  return usable ? merged : undefined;
}

function readOne(node: Node | null, range: Range, ctx: CheckContext): Record<string, string> | undefined {
  const path = isScalar(node) ? node.value : undefined;
  if (typeof path !== 'string' || path.trim() === '') {
    ctx.error('wrong-type', range, `expected the path of an env file (e.g. .env), got ${describeNode(node)}`);
    return undefined;
  }
  const absolute = resolve(ctx.dir, path);
  const read = ctx.envFile(absolute);
  const shown = isAbsolute(path) ? `'${path}'` : `'${path}' (${absolute})`;
  if (!('text' in read)) {
    ctx.error(read.code, range, `env file ${shown} ${read.problem}`);
    return undefined;
  }
  const vars = parse(read.text);
  ctx.outline.files.push({ range, path: absolute, names: Object.keys(vars) });
  const problems = Object.entries(vars).flatMap(([name, value]) => envVariableProblem(name, value) ?? []);
  for (const problem of problems) ctx.error('invalid-env-value', range, `env file ${shown}: ${problem}`);
  return problems.length === 0 ? vars : undefined;
}

/** Linux refuses to start a program with one variable (NAME=value) of 128 KiB or more (MAX_ARG_STRLEN). */
const MAX_VARIABLE_BYTES = 128 * 1024 - 1;

/** What no process environment can hold, in words; undefined when the variable is fine. */
export function envVariableProblem(name: string, value: string): string | undefined {
  if (value.includes('\0')) return `the value of ${name} contains a NUL byte, which no environment can hold`;
  const bytes = Buffer.byteLength(name) + 1 + Buffer.byteLength(value);
  if (bytes > MAX_VARIABLE_BYTES) return `${name} is ${bytes} bytes; a program cannot be started with a variable of 128 KiB or more`;
  return undefined;
}
