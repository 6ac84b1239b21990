// Builds the two bundles the .vsix ships: the extension (vscode external)
// and the self-contained supervisor (master, language server and CLI).
import * as esbuild from 'esbuild';
import { writeSchema } from './scripts/write-schema.mjs';
import { readFileSync } from 'node:fs';
import { yamlDebugSwitchesOff } from './scripts/yaml-debug-switches.mjs';

const watch = process.argv.includes('--watch');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  minify: process.argv.includes('--minify'),
  logLevel: 'info',
  plugins: [yamlDebugSwitchesOff],
};
const builds = [
  { ...common, entryPoints: ['extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  // Comments out, so the master holds its ~1.5 MB source as a one-byte
  // string (comments are the only non-ASCII text) rather than 2.9 MB of UTF-16.
  // Whitespace only, also for the .vsix: fully minified, the master measured
  // 3 MB more RSS, not less (bench/PROFILE.md).
  {
    ...common,
    entryPoints: ['supervisor/main.ts'],
    outfile: 'dist/supervisor.js',
    banner: { js: '#!/usr/bin/env node' },
    minify: false,
    minifyWhitespace: true,
    define: { STEWARD_VERSION: JSON.stringify(JSON.parse(readFileSync('package.json', 'utf8')).version) },
  },
];

if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
  await writeSchema();
}
