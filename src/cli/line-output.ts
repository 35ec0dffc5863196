// Standard output of the commands that print a line per event or address (capture, label): writes
// wait while the reader is behind (a pipe to a slow consumer holds the capture file, instead of
// buffering it in memory), and a reader that goes away (`| head -1`) ends the command quietly
// instead of crashing it with EPIPE.
import { EgressError } from '../errors.js';

const CHUNK_BYTES = 1 << 20;

export class LineOutput {
  private closed = false;
  private failure: string | undefined;
  private readonly waiters = new Set<() => void>();
  /** Lines not written yet: full chunks, and pending[start, used) in the buffer being filled. */
  private full: Buffer[] = [];
  private pending = Buffer.alloc(0);
  private start = 0;
  private used = 0;

  /** `onClosed` is called once when the reader goes away or writing fails: the command stops. */
  constructor(private readonly stream: NodeJS.WritableStream, private readonly onClosed: () => void) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (!(err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED')) this.failure ??= err.code ?? err.message;
      this.close();
    });
  }

  /**
   * Adds one line to the pending bytes. Lines are encoded one by one into large buffers rather
   * than joined into one string first: joining a batch of short strings and encoding the result
   * cost more than making the lines (a 1.2 M-event replay spent 40 % of its time there).
   */
  addLine(line: string): void {
    // Each UTF-16 unit is at most 3 UTF-8 bytes.
    if (this.pending.length - this.used < line.length * 3 + 1) this.newBuffer(line.length * 3 + 1);
    this.used += this.pending.write(line, this.used);
    this.pending[this.used++] = 0x0a;
  }

  /** Writes the lines added since the last flush; see write(). */
  flush(): Promise<void> | undefined {
    this.takePending();
    const chunks = this.full;
    this.full = [];
    let waiting: Promise<void> | undefined;
    for (const c of chunks) waiting = this.write(c) ?? waiting;
    return waiting;
  }

  /** Moves the filled part of the buffer to the chunks to write; the rest of the buffer stays in use. */
  private takePending(): void {
    if (this.used > this.start) this.full.push(this.pending.subarray(this.start, this.used));
    this.start = this.used;
  }

  /** A fresh buffer once the current one has no room: the stream may still hold what was taken from it. */
  private newBuffer(atLeast: number): void {
    this.takePending();
    this.pending = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, atLeast));
    this.start = this.used = 0;
  }

  /** Writes text; the promise (when there is one) resolves once the reader has taken the backlog. */
  write(text: string | Uint8Array): Promise<void> | undefined {
    if (this.closed) return undefined;
    if (this.stream.write(text)) return undefined;
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
