// An esbuild plugin shared by esbuild.mjs and the check benchmark (which measures the bundled checker).
import { readFile } from 'node:fs/promises';
/**
 * yaml's debug switches (LOG_TOKENS, LOG_STREAM) read process.env once per
 * token — a slow native lookup that was a tenth of checking a 200-worker
 * config. They only print parser internals; the bundles drop them, as
 * yaml's own browser build does.
 */
export const yamlDebugSwitchesOff = {
  name: 'yaml-debug-switches-off',
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/]yaml[\\/]dist[\\/](parse[\\/]parser|compose[\\/]composer)\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      return { contents: source.replace(/node_process\.env\.LOG_(TOKENS|STREAM)\b/g, 'undefined'), loader: 'js' };
    });
  },
};
