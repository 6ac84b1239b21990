/**
 * The writing half of the control socket's transport (framing.ts is the
 * reading half). Each message goes out as one complete frame in one socket
 * write, so frames cannot interleave and need no lock: JSON-RPC messages are
 * framed here, and log pushes arrive already framed from the rings
 * (logPushFrame.ts) on the same ordered stream.
 *
 * Writes are not waited for one by one, so a client that stops reading
 * would make the master queue frames without bound. Followed logs cannot get
 * it there (a LogFollower keeps one push in flight and skips, with a notice,
 * what a slow reader missed); answers and coalesced status pushes only after
 * a long time of reading nothing. A client this far behind is disconnected;
 * it can reconnect and read the current state again.
 */
import type { Socket } from 'node:net';
import { AbstractMessageWriter, type Message, type MessageWriter } from 'vscode-jsonrpc/node';

export const MAX_PENDING_MESSAGES = 256;

export class FrameWriter extends AbstractMessageWriter implements MessageWriter {
  private pending = 0;
  private errors = 0;
  private last: Promise<void> = Promise.resolve();

  constructor(private readonly socket: Socket) {
    super();
    socket.on('error', (error) => this.fireError(error));
    socket.on('close', () => this.fireClose());
  }

  write(message: Message): Promise<void> {
    const body = JSON.stringify(message);
    const bodyBytes = Buffer.byteLength(body, 'utf8');
    const header = `Content-Length: ${bodyBytes}\r\n\r\n`;
    const frame = Buffer.allocUnsafe(header.length + bodyBytes);
    frame.write(body, frame.write(header, 0, 'latin1'), 'utf8');
    return this.writeFrame(frame, message);
  }

  /** Sends a complete frame (header and body); resolves once the kernel took it. `message`: what to report on failure. */
  writeFrame(frame: Buffer, message?: Message): Promise<void> {
    if (this.pending >= MAX_PENDING_MESSAGES) {
      this.socket.destroy();
      return Promise.reject(new Error(`client ${MAX_PENDING_MESSAGES} messages behind: disconnected`));
    }
    this.pending += 1;
    const written = new Promise<void>((resolve, reject) => {
      this.socket.write(frame, (error) => {
        this.pending -= 1;
        if (!error) return resolve();
        this.errors += 1;
        this.fireError(error, message, this.errors);
        reject(error);
      });
    });
    this.last = written.catch(() => undefined);
    return written;
  }

  /** Resolves once every frame written so far reached the kernel (or failed). */
  drained(): Promise<void> {
    return this.last;
  }

  end(): void {
    this.socket.end();
  }

  override dispose(): void {
    super.dispose();
    this.socket.destroy();
  }
}
