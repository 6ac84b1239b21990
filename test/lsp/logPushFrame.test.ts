/**
 * A `steward/log` push framed straight from the rings must be the very
 * message the generic path (decode each block, stringify the notification)
 * would have sent: same JSON value, a Content-Length that counts the body's
 * bytes — for plain output, JSON-special characters, CRLF, multi-byte UTF-8,
 * invalid UTF-8 and random bytes.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { LogNotification } from '../../shared/protocol';
import { LogBuffer } from '../../supervisor/core/logBuffer';
import { LogPushEncoder, type HeldBlock } from '../../supervisor/lsp/logPushFrame';

/** The frame's body, after checking that its header announces exactly its length. */
function bodyOf(frame: Buffer): unknown {
  const end = frame.indexOf('\r\n\r\n');
  const header = frame.subarray(0, end).toString('latin1');
  const body = frame.subarray(end + 4);
  assert.equal(header, `Content-Length: ${body.length}`);
  return JSON.parse(body.toString('utf8'));
}

/** What stringifying the notification with decoded blocks gives, parsed. */
function expected(blocks: readonly HeldBlock[]): unknown {
  const push = { blocks: blocks.map(({ logs, entry, skipped }) => logs.blockOf(entry, skipped)) };
  return JSON.parse(JSON.stringify({ jsonrpc: '2.0', method: LogNotification.method, params: push }));
}

function held(logs: LogBuffer, bytes: Buffer, skipped = 0): HeldBlock {
  const lines = bytes.toString('latin1').split('\n').length;
  return { logs, entry: logs.append('stdout', [bytes], lines, 1_700_000_000_123), skipped };
}

describe('LogPushEncoder', () => {
  // One encoder throughout, as one follower uses it: its reused buffer must not leak one push into the next.
  const encoder = new LogPushEncoder();

  it('frames plain, escaped and multi-byte output as the generic path would', () => {
    const logs = new LogBuffer('web', 0);
    const samples = [
      'listening on :3000\nGET / 200',
      'a "quoted" \\path\\ and a\ttab, a bell \u0007, NUL \u0000, DEL \u007f',
      '\u001b[32mgreen\u001b[0m ANSI colours',
      'CRLF line\r\nnext\r',
      'é ü ß — “quotes” 日本語 🚀 \u2028 separators \u2029',
      '',
      '\n\n',
    ];
    for (const text of samples) {
      const blocks = [held(logs, Buffer.from(text, 'utf8'))];
      assert.deepEqual(bodyOf(encoder.encode(blocks)), expected(blocks), JSON.stringify(text));
    }
  });

  it('decodes invalid UTF-8 to replacement characters, as the generic path does', () => {
    const logs = new LogBuffer('w', 1);
    for (const bytes of [[0xff, 0x41], [0xe6, 0x97], [0x41, 0xc3], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80]]) {
      const blocks = [held(logs, Buffer.from(bytes))];
      const body = bodyOf(encoder.encode(blocks));
      assert.deepEqual(body, expected(blocks));
      assert.match(JSON.stringify(body), /\ufffd/u);
    }
  });

  it('keeps several blocks of several workers in order, with skip counts', () => {
    const api = new LogBuffer('api', 0);
    const db = new LogBuffer('db-ü', 2);
    const blocks = [held(api, Buffer.from('one\ntwo'), 40_000), held(db, Buffer.from('ready')), held(api, Buffer.from('three'))];
    const body = bodyOf(encoder.encode(blocks));
    assert.deepEqual(body, expected(blocks));
    assert.deepEqual((body as { params: { blocks: { skipped?: number }[] } }).params.blocks.map((block) => block.skipped), [40_000, undefined, undefined]);
  });

  it('matches the generic path on random bytes', () => {
    const logs = new LogBuffer('fuzz', 0);
    for (let round = 0; round < 500; round += 1) {
      const blocks = [held(logs, randomBytes(1 + (round % 97))), held(logs, randomBytes(round % 13))];
      assert.deepEqual(bodyOf(encoder.encode(blocks)), expected(blocks));
    }
  });
});
