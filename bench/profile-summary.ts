/**
 * `tsx bench/profile-summary.ts FILE.cpuprofile [TOP]`: the functions with
 * the most self time in a V8 CPU profile (`node --cpu-prof`), as used for the
 * profile notes in RESULTS.md.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  hitCount?: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
}

function selfTimes(profile: Profile): Array<[string, number]> {
  const perSampleMs = (profile.endTime - profile.startTime) / 1000 / Math.max(1, profile.samples.length);
  const totals = new Map<string, number>();
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    const where = `${functionName || '(anonymous)'} ${url.replace(/^.*\//, '')}:${lineNumber + 1}`;
    totals.set(where, (totals.get(where) ?? 0) + (node.hitCount ?? 0) * perSampleMs);
  }
  return [...totals].sort((a, b) => b[1] - a[1]);
}

const [file, top = '25'] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: tsx bench/profile-summary.ts FILE.cpuprofile [TOP]\n');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const times = selfTimes(profile);
const total = times.reduce((sum, [, ms]) => sum + ms, 0);
process.stdout.write(`${file}: ${Math.round(total)} ms sampled\n`);
for (const [where, ms] of times.slice(0, Number(top))) {
  process.stdout.write(`${ms.toFixed(1).padStart(9)} ms ${((ms / total) * 100).toFixed(1).padStart(5)} %  ${where}\n`);
}
