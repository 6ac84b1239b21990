import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readConfig } from '../../supervisor/core/configSource';

describe('readConfig', () => {
  it('checks the text a reload has just read instead of reading the file a second time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'steward-config-source-'));
    const file = join(dir, 'steward.yaml');
    try {
      writeFileSync(file, 'version: 1\nworkers:\n  a:\n    command: sleep 1\n');
      const justRead = 'version: 1\nworkers:\n  b:\n    command: sleep 2\n';
      const read = await readConfig(file, justRead);
      assert.ok(read.ok);
      assert.deepEqual([read.text, read.config.workers.map((w) => w.name)], [justRead, ['b']]);
      const fromDisk = await readConfig(file);
      assert.deepEqual(fromDisk.ok && fromDisk.config.workers.map((w) => w.name), ['a']);
      const broken = await readConfig(file, 'version: 1\nworkers:\n  c: {}\n');
      assert.equal(broken.ok, false);
      assert.equal(!broken.ok && broken.error.line, 3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
