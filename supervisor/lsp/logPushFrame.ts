/**
 * A `steward/log` push written straight from the rings' bytes into one framed
 * JSON-RPC message, instead of decoding each block to a string, building the
 * message object, stringifying it and encoding it again as UTF-8. Moving
 * 100 MB that way cost the master ~150 ms of encoding and most of its
 * ~220 ms of garbage collection (two copies of every batch on the heap, the
 * larger one in large-object space).
 *
 * Text that is valid UTF-8 (nearly all output) is read as latin1, one
 * character per byte, escaped by JSON.stringify (which leaves bytes ≥ 0x80
 * alone) and written back as latin1, byte for byte: the JSON text carries the
 * original UTF-8 unchanged and no UTF-8 decoder or encoder runs. Anything
 * else is decoded as UTF-8 (invalid sequences become U+FFFD) as before.
 * The message is the same JSON as `{jsonrpc, method, params: LogPush}`
 * stringified (test/lsp/logPushFrame.test.ts compares the two).
 */
import { isUtf8 } from 'node:buffer';
import { LogNotification } from '../../shared/protocol';
import type { LogBuffer, LogEntry } from '../core/logBuffer';
import { decodeLines } from '../process/lines';

/** One block of a push, still in its worker's ring: encode it before anything is appended to that ring. */
export interface HeldBlock {
  logs: LogBuffer;
  entry: LogEntry;
  /** Lines the follower missed just before this block (0: none). */
  skipped: number;
}

const OPEN = `{"jsonrpc":"2.0","method":${JSON.stringify(LogNotification.method)},"params":{"blocks":[`;
const CLOSE = ']}}';
/** Room kept before the body for `Content-Length: N\r\n\r\n`, written once the body's length is known. */
const HEADER_ROOM = 40;

/**
 * Frames pushes for one follower into one reused buffer, each piece written
 * as soon as it is made. A fresh buffer per push left ~260 KB of external
 * memory per push for the garbage collector; gathering a batch's strings
 * before writing them kept them alive across scavenges, which promoted them
 * (old space grew to 35 MB moving 100 MB). A follower has one push in flight
 * at a time, so the buffer is free again when the next one is encoded.
 */
export class LogPushEncoder {
  private buffer = Buffer.alloc(0);
  private at = 0;

  /** The whole message, `Content-Length` header included: a view valid until the next `encode`. */
  encode(blocks: readonly HeldBlock[]): Buffer {
    this.at = HEADER_ROOM;
    this.put(OPEN, 'latin1');
    blocks.forEach((block, index) => this.putBlock(block, index > 0));
    this.put(CLOSE, 'latin1');
    const header = `Content-Length: ${this.at - HEADER_ROOM}\r\n\r\n`;
    const start = HEADER_ROOM - header.length;
    this.buffer.write(header, start, 'latin1');
    return this.buffer.subarray(start, this.at);
  }

  private putBlock({ logs, entry, skipped }: HeldBlock, comma: boolean): void {
    const { worker, instance, stream, time } = entry;
    this.put(`${comma ? ',' : ''}{"worker":${JSON.stringify(worker)},"instance":${instance},"stream":"${stream}","time":${time},"text":`, 'utf8');
    const bytes = logs.bytesOf(entry);
    if (isUtf8(bytes)) this.put(JSON.stringify(decodeLines(bytes, 0, bytes.length, 'latin1')), 'latin1');
    else this.put(JSON.stringify(decodeLines(bytes)), 'utf8');
    this.put(skipped > 0 ? `,"skipped":${skipped}}` : '}', 'latin1');
  }

  private put(text: string, encoding: 'latin1' | 'utf8'): void {
    const most = encoding === 'latin1' ? text.length : text.length * 3;
    if (this.at + most > this.buffer.length) {
      const larger = Buffer.allocUnsafe(Math.max(this.at + most, this.buffer.length * 2));
      this.buffer.copy(larger, 0, 0, this.at);
      this.buffer = larger;
    }
    this.at += this.buffer.write(text, this.at, encoding);
  }
}
