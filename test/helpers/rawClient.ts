/**
 * A raw socket client for the control socket that frames JSON-RPC by hand,
 * so it can also send garbage (malformed frames, invalid UTF-8, oversized
 * announcements) and see exactly what comes back. Notifications are
 * skipped; replies queue up for `next()`.
 */
import { connect, type Socket } from 'node:net';
import type { Workspace } from './master';

export interface Reply {
  id: number | string | null;
  result?: unknown;
  error?: { code: number; message: string };
}

/** A raw socket client that frames JSON-RPC by hand, so it can also send garbage. */
export class RawClient {
  private buffer = Buffer.alloc(0);
  private readonly replies: Reply[] = [];
  private waiting: (() => void) | undefined;
  readonly closed: Promise<void>;

  constructor(private readonly socket: Socket) {
    socket.on('data', (chunk) => this.receive(chunk));
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  static open(ws: Workspace): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(ws.paths.socket);
      socket.once('connect', () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  sendBody(body: string | Buffer): void {
    const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
    this.socket.write(`Content-Length: ${bytes.length}\r\n\r\n`);
    this.socket.write(bytes);
  }

  request(id: number, method: string, params?: unknown): void {
    this.sendBody(JSON.stringify({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) }));
  }

  write(raw: string): void {
    this.socket.write(raw);
  }

  async next(timeoutMs = 5_000): Promise<Reply> {
    const deadline = Date.now() + timeoutMs;
    while (this.replies.length === 0) {
      if (Date.now() > deadline) throw new Error('no reply');
      await new Promise<void>((resolve) => {
        this.waiting = resolve;
        setTimeout(resolve, 50);
      });
    }
    return this.replies.shift()!;
  }

  destroy(): void {
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/Content-Length: (\d+)/i.exec(this.buffer.subarray(0, end).toString())?.[1]);
      if (this.buffer.length < end + 4 + length) return;
      const message = JSON.parse(this.buffer.subarray(end + 4, end + 4 + length).toString()) as Reply & { method?: string };
      this.buffer = this.buffer.subarray(end + 4 + length);
      if (message.method === undefined) this.replies.push(message);
      this.waiting?.();
    }
  }
}

