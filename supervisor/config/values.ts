/**
 * Reading one value against its type in the key table. Each reader reports
 * its own problems (at the value, or at the key when there is no value) and
 * returns the normalised value, or undefined when it is invalid.
 */
import { isScalar, type Node } from 'yaml';
import { describeNode, type CheckContext } from './context';
import { parseDuration } from './duration';
import type { ValueType } from './keys';
import { entriesWithMerged, type OutlineEntry } from './outline';
import { readDependsOn, readEnv, readPorts, readTcpTarget } from './collections';
import { readEnvFiles } from './envFiles';
import { readMapping } from './mapping';
import { readFormattedString, readSignal } from './strings';
import { closest, didYouMean } from './suggest';

export function readValue(node: Node | null, type: ValueType, ctx: CheckContext, entry: OutlineEntry): unknown {
  switch (type.kind) {
    case 'version':
      return readVersion(node, ctx, entry);
    case 'integer':
      return readInteger(node, type.min, type.max, ctx, entry);
    case 'string':
      return readString(node, ctx, entry, type.format);
    case 'enum':
      return readEnum(node, type.values, ctx, entry);
    case 'duration':
      return readDuration(node, ctx, entry);
    case 'signal':
      return readSignal(readString(node, ctx, entry), ctx, entry);
    case 'env':
      return readEnv(node, ctx, entry);
    case 'envFile':
      return readEnvFiles(node, ctx, entry);
    case 'ports':
      return readPorts(node, ctx, entry);
    case 'dependsOn':
      return readDependsOn(node, ctx, entry);
    case 'tcpTarget':
      return readTcpTarget(node, ctx, entry);
    case 'workers':
      return node;
    case 'object':
      return readObject(node, type.keys, type.exactlyOneOf, ctx, entry);
  }
}

function valueRangeOf(entry: OutlineEntry) {
  return entry.valueRange ?? entry.keyRange;
}

function scalarValue(node: Node | null): unknown {
  return isScalar(node) ? node.value : undefined;
}

function readVersion(node: Node | null, ctx: CheckContext, entry: OutlineEntry): 1 | undefined {
  const value = scalarValue(node);
  if (value === 1) return 1;
  if (typeof value === 'number') {
    ctx.error('unsupported-version', valueRangeOf(entry), `unsupported version ${value}: this Steward reads version 1`, '1');
  } else {
    ctx.error('wrong-type', valueRangeOf(entry), `expected version 1, got ${describeNode(node)}`, '1');
  }
  return undefined;
}

function readInteger(node: Node | null, min: number, max: number | undefined, ctx: CheckContext, entry: OutlineEntry): number | undefined {
  const value = scalarValue(node);
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && (max === undefined || value <= max)) return value;
  const bounds = max === undefined ? `of at least ${min}` : `between ${min} and ${max}`;
  ctx.error(typeof value === 'number' ? 'out-of-range' : 'wrong-type', valueRangeOf(entry), `expected an integer ${bounds} for '${entry.key}', got ${describeNode(node)}`);
  return undefined;
}

function readString(node: Node | null, ctx: CheckContext, entry: OutlineEntry, format?: 'command' | 'directory' | 'url' | 'regex'): string | undefined {
  const value = scalarValue(node);
  if (typeof value !== 'string') {
    ctx.error('wrong-type', valueRangeOf(entry), `expected a string for '${entry.key}', got ${describeNode(node)}`);
    return undefined;
  }
  return format === undefined ? value : readFormattedString(value, format, ctx, entry);
}

function readEnum(node: Node | null, values: readonly string[], ctx: CheckContext, entry: OutlineEntry): string | undefined {
  const value = scalarValue(node);
  if (typeof value === 'string' && values.includes(value)) return value;
  const suggestion = typeof value === 'string' ? closest(value, values) : undefined;
  const message = `expected one of ${values.join(', ')} for '${entry.key}', got ${describeNode(node)}${didYouMean(suggestion)}`;
  ctx.error(typeof value === 'string' ? 'invalid-value' : 'wrong-type', valueRangeOf(entry), message, suggestion);
  return undefined;
}

function readDuration(node: Node | null, ctx: CheckContext, entry: OutlineEntry): number | undefined {
  const value = scalarValue(node);
  const ms = typeof value === 'string' ? parseDuration(value) : undefined;
  if (ms !== undefined) return ms;
  const hint = typeof value === 'number' ? ` (add a unit: ${value}ms, ${value}s, ${value}m or ${value}h)` : '';
  ctx.error('invalid-duration', valueRangeOf(entry), `expected a duration such as 500ms, 5s or 1m for '${entry.key}', got ${describeNode(node)}${hint}`);
  return undefined;
}

function readObject(
  node: Node | null,
  keys: Parameters<typeof readMapping>[1],
  exactlyOneOf: readonly string[] | undefined,
  ctx: CheckContext,
  entry: OutlineEntry,
) {
  const read = readMapping(node, keys, entry.path, ctx, entry.keyRange);
  if (!read) return undefined;
  entry.map = read.map;
  // Merged keys count: `ready: { <<: *probe }` has the probe of its anchor, and one merged beside its own has two.
  if (exactlyOneOf) checkExactlyOne(entriesWithMerged(read.map), exactlyOneOf, ctx, entry);
  return read.fields;
}

function checkExactlyOne(entries: OutlineEntry[], choices: readonly string[], ctx: CheckContext, owner: OutlineEntry): void {
  const present = entries.filter((entry, index) => choices.includes(entry.key) && entries.findIndex((e) => e.key === entry.key) === index);
  const list = `${choices.slice(0, -1).join(', ')} or ${choices[choices.length - 1]}`;
  if (present.length === 0) {
    ctx.error('missing-probe', owner.keyRange, `'${owner.key}' needs exactly one of ${list}`);
  }
  for (const extra of present.slice(1)) {
    ctx.error('multiple-probes', extra.keyRange, `'${owner.key}' has both '${present[0].key}' and '${extra.key}': keep exactly one of ${list}`);
  }
}
