/**
 * Must-show 10 of issue 4: the control socket survives bad clients.
 * Malformed JSON-RPC, unknown methods, wrong params and huge messages get
 * JSON-RPC errors (or, for an unparseable header, a closed connection);
 * the master and its workers are unaffected, and the same connection keeps
 * working where the stream can be resynchronised.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { cleanup, makeWorkspace, pids, status, up, waitForWorkersUp, type Workspace } from '../helpers/master';
import { RawClient } from '../helpers/rawClient';

describe('the control socket with misbehaving clients', () => {
  let ws: Workspace;
  let first: Record<string, number | null>;
  let masterPid: number;

  before(async () => {
    ws = makeWorkspace('protocol', 'version: 1\nworkers:\n  a:\n    command: sleep 300\n  b:\n    command: sleep 300\n');
    await up(ws);
    const snapshot = await waitForWorkersUp(ws);
    first = pids(snapshot);
    masterPid = snapshot.pid;
  });

  after(() => cleanup(ws));

  async function assertMasterUnaffected(): Promise<void> {
    const snapshot = await status(ws);
    assert.equal(snapshot.pid, masterPid);
    assert.equal(snapshot.state, 'running');
    assert.deepEqual(pids(snapshot), first);
  }

  test('a body that is not JSON gets a Parse error, and the connection keeps working', async () => {
    const client = await RawClient.open(ws);
    client.sendBody('{"jsonrpc": "2.0", "id": 1, "method": ');
    const reply = await client.next();
    assert.equal(reply.id, null);
    assert.equal(reply.error?.code, -32700);
    client.request(2, 'steward/status');
    assert.equal(((await client.next()).result as { pid: number }).pid, masterPid);
    client.destroy();
    await assertMasterUnaffected();
  });

  test('a batch array and a bare number get Invalid Request', async () => {
    const client = await RawClient.open(ws);
    client.sendBody('[{"jsonrpc":"2.0","id":1,"method":"steward/status"}]');
    assert.equal((await client.next()).error?.code, -32600);
    client.sendBody('42');
    assert.equal((await client.next()).error?.code, -32600);
    client.destroy();
    await assertMasterUnaffected();
  });

  test('an unknown method gets MethodNotFound', async () => {
    const client = await RawClient.open(ws);
    client.request(7, 'steward/launchMissiles', {});
    const reply = await client.next();
    assert.equal(reply.id, 7);
    assert.equal(reply.error?.code, -32601);
    client.destroy();
    await assertMasterUnaffected();
  });

  test('wrong param types get InvalidParams naming the field', async () => {
    const client = await RawClient.open(ws);
    const cases: [string, unknown, RegExp][] = [
      ['steward/startWorker', { name: 42 }, /'name'/],
      ['steward/stopWorker', {}, /'name'/],
      ['steward/restartWorker', { name: 'a', instance: -1 }, /'instance'/],
      ['steward/reload', { all: 'yes' }, /'all'/],
      ['steward/reload', { trigger: 'startup' }, /'trigger'/],
      ['steward/logs', { lines: 1e9 }, /'lines'/],
      ['steward/logs', { worker: 'a', workers: ['a'] }, /'worker' or 'workers', not both/],
      ['steward/logs', { workers: 'a' }, /'workers' must be a list/],
      ['steward/logs', { workers: ['a', ''] }, /'workers\[1\]'/],
      ['steward/status', ['not', 'an', 'object'], /object/],
      ['steward/down', { please: true }, /unknown field 'please'/],
    ];
    for (const [index, [method, params, message]] of cases.entries()) {
      client.request(index, method, params);
      const reply = await client.next();
      assert.equal(reply.error?.code, -32602, `${method} ${JSON.stringify(params)}`);
      assert.match(reply.error?.message ?? '', message);
    }
    client.request(99, 'steward/stopWorker', { name: 'nope' });
    const unknown = await client.next();
    assert.equal(unknown.error?.code, -32001, 'an unknown worker has its own code');
    client.destroy();
    await assertMasterUnaffected();
  });

  test('a message over the 16 MiB limit is skipped unbuffered with an error; the connection then works', async () => {
    const client = await RawClient.open(ws);
    const huge = Buffer.alloc(17 * 1024 * 1024, 0x20);
    client.sendBody(huge);
    const reply = await client.next(20_000);
    assert.equal(reply.error?.code, -32600);
    assert.match(reply.error?.message ?? '', /exceeds the limit/);
    client.request(3, 'steward/status');
    assert.equal(((await client.next(20_000)).result as { pid: number }).pid, masterPid);
    client.destroy();
    await assertMasterUnaffected();
  });

  test('a header without Content-Length closes that connection only', async () => {
    const client = await RawClient.open(ws);
    client.write('Content-Type: application/json\r\n\r\n{}');
    assert.equal((await client.next()).error?.code, -32600);
    await client.closed;
    await assertMasterUnaffected();
  });

  test('a client that leaves in the middle of a reload does not hurt the master', async () => {
    const client = await RawClient.open(ws);
    client.request(1, 'steward/reload', { all: true });
    client.destroy();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const snapshot = await status(ws);
    assert.equal(snapshot.pid, masterPid);
    assert.equal(snapshot.state, 'running');
    assert.equal(snapshot.lastReload?.ok, true);
    first = pids(snapshot);
  });
});
