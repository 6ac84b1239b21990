// npm run bench:activation [-- --runs N] — what activating Steward adds to
// VS Code's start-up (target: under 50 ms), measured inside a real extension
// host: runs the in-host suite (test/host/run.mjs) N times and reads the
// figure the extension reports about itself (modules + activate()).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runsIndex = process.argv.indexOf('--runs');
const runs = runsIndex > 0 ? Number(process.argv[runsIndex + 1]) : 5;
if (!Number.isInteger(runs) || runs < 1) {
  console.error('usage: node bench/activation.mjs [--runs N]');
  process.exit(2);
}

const samples = [];
for (let run = 1; run <= runs; run++) {
  const result = spawnSync(process.execPath, [path.join(REPO, 'test/host/run.mjs')], { cwd: REPO, encoding: 'utf8' });
  const match = /activation: ([\d.]+) ms, of which evaluating the bundle ([\d.]+) ms/.exec(result.stdout);
  if (result.status !== 0 || !match) {
    console.error(result.stdout.slice(-3000), result.stderr.slice(-2000));
    console.error(`run ${run}: the in-host suite failed (exit ${result.status}) or reported no activation time`);
    process.exit(1);
  }
  samples.push({ activationMs: Number(match[1]), loadMs: Number(match[2]), load: os.loadavg()[0] });
  console.log(`run ${run}/${runs}: activation ${match[1]} ms (bundle ${match[2]} ms), load average ${os.loadavg()[0].toFixed(2)}`);
}

const sorted = (key) => samples.map((sample) => sample[key]).sort((a, b) => a - b);
const stats = (key) => {
  const values = sorted(key);
  return { median_ms: values[Math.floor(values.length / 2)], min_ms: values[0], max_ms: values.at(-1) };
};
const result = { scenario: 'activation', target_ms: 50, n: runs, activation: stats('activationMs'), bundle: stats('loadMs'), samples };
fs.writeFileSync(path.join(REPO, 'bench/activation-results.json'), JSON.stringify(result, null, 2) + '\n');
console.log(`activation median ${result.activation.median_ms} ms (min ${result.activation.min_ms}, max ${result.activation.max_ms}); target < 50 ms: ${result.activation.median_ms < 50 ? 'met' : 'MISSED'}`);
