/**
 * `tsx bench/heap-summary.ts FILE.heapsnapshot [TOP]`: self size per
 * constructor (and node type) in a V8 heap snapshot — to see what a master
 * holds (`--heapsnapshot-signal=SIGUSR2` through BENCH_STEWARD_NODE_ARGS).
 */
import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
}

function sizesByConstructor(heap: Snapshot): Array<[string, { bytes: number; count: number }]> {
  const fields = heap.snapshot.meta.node_fields;
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((field) => fields.indexOf(field));
  const types = heap.snapshot.meta.node_types[0];
  const totals = new Map<string, { bytes: number; count: number }>();
  for (let i = 0; i < heap.nodes.length; i += fields.length) {
    const type = types[heap.nodes[i + typeAt]];
    const name = type === 'object' || type === 'closure' ? heap.strings[heap.nodes[i + nameAt]] : '';
    const key = `${type}${name ? ` ${name}` : ''}`;
    const entry = totals.get(key) ?? { bytes: 0, count: 0 };
    entry.bytes += heap.nodes[i + sizeAt];
    entry.count += 1;
    totals.set(key, entry);
  }
  return [...totals].sort((a, b) => b[1].bytes - a[1].bytes);
}

const [file, top = '30'] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: tsx bench/heap-summary.ts FILE.heapsnapshot [TOP]\n');
  process.exit(2);
}
const sizes = sizesByConstructor(JSON.parse(readFileSync(file, 'utf8')) as Snapshot);
const total = sizes.reduce((sum, [, entry]) => sum + entry.bytes, 0);
process.stdout.write(`${file}: ${(total / 1024 / 1024).toFixed(1)} MB of live objects\n`);
for (const [name, { bytes, count }] of sizes.slice(0, Number(top))) {
  process.stdout.write(`${(bytes / 1024).toFixed(0).padStart(8)} kB ${String(count).padStart(7)}×  ${name}\n`);
}
