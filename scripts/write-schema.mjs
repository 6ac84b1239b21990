// Writes dist/steward.schema.json from the config checker's own key table,
// so the JSON Schema and the validator can never disagree.
import * as esbuild from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export async function writeSchema() {
  const out = await esbuild.build({
    entryPoints: ['supervisor/config/jsonSchema.ts'],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    write: false,
  });
  const module = { exports: {} };
  new Function('module', 'exports', 'require', out.outputFiles[0].text)(module, module.exports, createRequire(import.meta.url));
  mkdirSync('dist', { recursive: true });
  writeFileSync('dist/steward.schema.json', JSON.stringify(module.exports.stewardJsonSchema(), null, 2) + '\n');
}
