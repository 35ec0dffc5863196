// Standard output of the commands that print a line per event or address (capture, label): writes
// wait while the reader is behind (a pipe to a slow consumer holds the capture file, instead of
// buffering it in memory), and a reader that goes away (`| head -1`) ends the command quietly
// instead of crashing it with EPIPE.
import { EgressError } from '../errors.js';

export class LineOutput {
  private closed = false;
  private failure: string | undefined;
  private readonly waiters = new Set<() => void>();

  /** `onClosed` is called once when the reader goes away or writing fails: the command stops. */
  constructor(private readonly stream: NodeJS.WritableStream, private readonly onClosed: () => void) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (!(err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED')) this.failure ??= err.code ?? err.message;
      this.close();
    });
  }

  /** Writes text; the promise (when there is one) resolves once the reader has taken the backlog. */
  write(text: string): Promise<void> | undefined {
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
