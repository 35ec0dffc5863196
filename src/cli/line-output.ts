// Standard output of the commands that print a line per event or address (capture, label): writes
// wait while the reader is behind (a pipe to a slow consumer holds the capture file, instead of
// buffering it in memory), and a reader that goes away (`| head -1`) ends the command quietly
// instead of crashing it with EPIPE.
import { EgressError } from '../errors.js';
import { LineBuffer } from './line-buffer.js';

export class LineOutput {
  private closed = false;
  private failure: string | undefined;
  private readonly waiters = new Set<() => void>();
  /** The lines the next flush writes. */
  readonly lines = new LineBuffer();

  /** `onClosed` is called once when the reader goes away or writing fails: the command stops. */
  constructor(private readonly stream: NodeJS.WritableStream, private readonly onClosed: () => void) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (!(err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED')) this.failure ??= err.code ?? err.message;
      this.close();
    });
  }

  /**
   * Whether a write's bytes are free once its callback runs: true for a file or pipe (written to
   * the descriptor), false for an in-process stream, whose reader may keep the very buffer.
   */
  get releasesWrittenBytes(): boolean {
    return typeof (this.stream as { fd?: unknown }).fd === 'number';
  }

  /** Adds one line to the pending bytes (written by the next flush). */
  addLine(line: string): void {
    this.lines.addLine(line);
  }

  /**
   * Writes whole lines already encoded, after the lines added before them; `written` is called
   * once the stream is done with the bytes (their buffer can be filled again). See write().
   */
  writeBytes(bytes: Uint8Array, written?: () => void): Promise<void> | undefined {
    const waiting = this.flush();
    return this.write(bytes, written) ?? waiting;
  }

  /** Writes the lines added since the last flush; see write(). */
  flush(): Promise<void> | undefined {
    let waiting: Promise<void> | undefined;
    for (const c of this.lines.take()) waiting = this.write(c) ?? waiting;
    return waiting;
  }

  /** Writes text; the promise (when there is one) resolves once the reader has taken the backlog. */
  write(text: string | Uint8Array, written?: () => void): Promise<void> | undefined {
    if (this.closed) return undefined;
    if (this.stream.write(text, written && ((err) => err || written()))) return undefined;
    return new Promise<void>((resolve) => {
      const done = () => {
        this.waiters.delete(done);
        this.stream.off('drain', done);
        resolve();
      };
      this.waiters.add(done);
      this.stream.once('drain', done);
    });
  }

  /** Whether the reader went away (the rest of the output is dropped). */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Throws the write failure, if one other than the reader going away happened. */
  check(): void {
    if (this.failure) throw new EgressError('output', `cannot write the output (${this.failure})`);
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const w of [...this.waiters]) w();
    this.onClosed();
  }
}
