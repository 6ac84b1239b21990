import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { checkConfigText } from '../../supervisor/config/check';
import { readConfig, warmUpCheck } from '../../supervisor/core/configSource';

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

describe('warmUpCheck', () => {
  it('leaves the checks after it exactly as a whole-document check finds them, and never throws', () => {
    const file = join(tmpdir(), 'steward.yaml');
    const text = 'version: 1\nworkers:\n  a:\n    command: sleep 1\n  b:\n    command: sleep 2\n    restart: sometimes\n';
    warmUpCheck(text, file);
    for (const next of [text, text.replace('sleep 2', 'sleep 3'), `${text}  c:\n    command: sleep 4\n`]) {
      const found = checkConfigText(next, file);
      assert.deepEqual(found, checkConfigText(next, file, { wholeDocument: true }));
      assert.ok(found.diagnostics.some((diagnostic) => diagnostic.range.start.line === 6), 'the bad restart policy, at its line');
    }
    for (const garbage of ['', '\u0000', 'workers:\n  - [', '%YAML 9\n']) warmUpCheck(garbage, file);
  });
});
