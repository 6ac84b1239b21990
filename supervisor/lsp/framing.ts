/**
 * A JSON-RPC message reader for the control socket that a misbehaving client
 * cannot use to hurt the master: vscode-jsonrpc's stream reader buffers any
 * announced Content-Length and only logs unparsable bodies, so we frame the
 * stream ourselves.
 *
 * - A body larger than MAX_MESSAGE_BYTES is skipped as it streams in (never
 *   buffered) and answered with an Invalid Request error.
 * - A body that is not JSON gets a Parse error (-32700); one that is not a
 *   JSON object (e.g. a batch array) an Invalid Request error (-32600).
 *   Both with id null, as JSON-RPC 2.0 says, and the connection lives on.
 * - A header that is too long or lacks a valid Content-Length cannot be
 *   resynchronised: the error is sent and the connection closed.
 */
import type { Socket } from 'node:net';
import { AbstractMessageReader, type DataCallback, type Disposable, type Message } from 'vscode-jsonrpc/node';

export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
const MAX_HEADER_BYTES = 8 * 1024;
const HEADER_END = Buffer.from('\r\n\r\n', 'ascii');

export const PARSE_ERROR = -32700;
export const INVALID_REQUEST = -32600;

export type ProtocolErrorSink = (code: number, message: string, fatal: boolean) => void;

export class GuardedMessageReader extends AbstractMessageReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Body length of the message being read; undefined while reading a header. */
  private bodyLength: number | undefined;
  /** Bytes of an oversized body still to skip. */
  private skipping = 0;

  constructor(
    private readonly socket: Socket,
    private readonly onProtocolError: ProtocolErrorSink,
    private readonly maxMessageBytes = MAX_MESSAGE_BYTES,
  ) {
    super();
  }

  listen(callback: DataCallback): Disposable {
    const onData = (chunk: Buffer): void => this.receive(chunk, callback);
    const onClose = (): void => this.fireClose();
    const onError = (error: Error): void => this.fireError(error);
    this.socket.on('data', onData);
    this.socket.on('close', onClose);
    this.socket.on('error', onError);
    return {
      dispose: () => {
        this.socket.off('data', onData);
        this.socket.off('close', onClose);
        this.socket.off('error', onError);
      },
    };
  }

  private receive(chunk: Buffer, callback: DataCallback): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (!this.socket.destroyed && this.step(callback));
  }

  /** Consumes one piece of the stream; false when more bytes are needed. */
  private step(callback: DataCallback): boolean {
    if (this.skipping > 0) return this.skip();
    if (this.bodyLength === undefined) return this.readHeader();
    if (this.buffered < this.bodyLength) return false;
    const body = this.take(this.bodyLength);
    this.bodyLength = undefined;
    this.deliver(body, callback);
    return true;
  }

  private skip(): boolean {
    const n = Math.min(this.skipping, this.buffered);
    if (n === 0) return false;
    this.take(n);
    this.skipping -= n;
    return true;
  }

  private readHeader(): boolean {
    const prefix = this.peek(Math.min(this.buffered, MAX_HEADER_BYTES + HEADER_END.length));
    const end = prefix.indexOf(HEADER_END);
    if (end < 0) {
      if (prefix.length > MAX_HEADER_BYTES) this.fatal(`header longer than ${MAX_HEADER_BYTES} bytes`);
      return false;
    }
    const header = prefix.subarray(0, end).toString('ascii');
    this.take(end + HEADER_END.length);
    const match = /^content-length:\s*(\d+)\s*$/im.exec(header);
    if (!match) {
      this.fatal('missing or invalid Content-Length header');
      return false;
    }
    const length = Number(match[1]);
    if (length > this.maxMessageBytes) {
      this.skipping = length;
      this.onProtocolError(INVALID_REQUEST, `message of ${length} bytes exceeds the limit of ${this.maxMessageBytes} bytes; skipped`, false);
      return true;
    }
    this.bodyLength = length;
    return true;
  }

  private deliver(body: Buffer, callback: DataCallback): void {
    let message: unknown;
    try {
      message = JSON.parse(body.toString('utf8'));
    } catch (error) {
      this.onProtocolError(PARSE_ERROR, `Parse error: ${(error as Error).message}`, false);
      return;
    }
    if (message === null || typeof message !== 'object' || Array.isArray(message)) {
      this.onProtocolError(INVALID_REQUEST, 'Invalid Request: expected a JSON-RPC message object (batches are not supported)', false);
      return;
    }
    callback(message as Message);
  }

  private fatal(reason: string): void {
    this.onProtocolError(INVALID_REQUEST, `Invalid Request: ${reason}; closing the connection`, true);
    this.chunks = [];
    this.buffered = 0;
  }

  /** The first n buffered bytes, without consuming them. */
  private peek(n: number): Buffer {
    if (this.chunks.length === 0) return Buffer.alloc(0);
    if (this.chunks[0].length < n) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0].subarray(0, n);
  }

  /** Removes and returns the first n buffered bytes (n ≤ buffered); copies once. */
  private take(n: number): Buffer {
    const parts: Buffer[] = [];
    let missing = n;
    while (missing > 0) {
      const first = this.chunks[0];
      if (first.length <= missing) {
        parts.push(first);
        this.chunks.shift();
        missing -= first.length;
      } else {
        parts.push(first.subarray(0, missing));
        this.chunks[0] = first.subarray(missing);
        missing = 0;
      }
    }
    this.buffered -= n;
    return parts.length === 1 ? parts[0] : Buffer.concat(parts, n);
  }
}
