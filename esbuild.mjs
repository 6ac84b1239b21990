// Builds the two bundles the .vsix ships: the extension (vscode external)
// and the self-contained supervisor (master, language server and CLI).
import * as esbuild from 'esbuild';
import { writeSchema } from './scripts/write-schema.mjs';
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
  { ...common, entryPoints: ['supervisor/main.ts'], outfile: 'dist/supervisor.js', banner: { js: '#!/usr/bin/env node' } },
];

if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
  await writeSchema();
}
