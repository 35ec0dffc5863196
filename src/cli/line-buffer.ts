// Output lines encoded to UTF-8 as they are made, into large buffers: what LineOutput writes,
// and what `capture`'s replay workers hand back.

const CHUNK_BYTES = 1 << 20;

/**
 * Lines encoded into large buffers as they come. One by one rather than joined into one string
 * first: joining a batch of short strings and encoding the result cost more than making the lines
 * (a 1.2 M-event replay spent 40 % of its time there).
 */
export class LineBuffer {
  /** Lines not taken yet: full chunks, and pending[start, used) in the buffer being filled. */
  private full: Buffer[] = [];
  private pending: Buffer = Buffer.alloc(0);
  private start = 0;
  private used = 0;
  private added = 0;
  /** Buffers already written out, to fill again: fresh memory costs a page fault per 4 KiB. */
  private readonly spare: Buffer[] = [];

  addLine(line: string): void {
    // Each UTF-16 unit is at most 3 UTF-8 bytes.
    if (this.pending.length - this.used < line.length * 3 + 1) this.newBuffer(line.length * 3 + 1);
    const n = this.pending.write(line, this.used);
    this.pending[this.used + n] = 0x0a;
    this.used += n + 1;
    this.added += n + 1;
  }

  /**
   * The buffer to encode a line into in place, from `lineStart`, with room for `size` bytes of
   * line; the first `kept` bytes already written there move along when the line needs a fresh
   * buffer. The line is added by commitLine.
   */
  lineRoom(kept: number, size: number): Buffer {
    if (this.pending.length - this.used < size) {
      const old = this.pending;
      const from = this.used;
      this.newBuffer(size);
      old.copy(this.pending, 0, from, from + kept);
    }
    return this.pending;
  }

  /** Where a line encoded in place starts in the buffer lineRoom gives. */
  get lineStart(): number {
    return this.used;
  }

  /** Adds the line encoded in place: `length` bytes from lineStart, its line break included. */
  commitLine(length: number): void {
    this.used += length;
    this.added += length;
  }

  /** Bytes added since this buffer was made. */
  get bytesAdded(): number {
    return this.added;
  }

  /** The bytes added since the last take; the buffer being filled stays in use. */
  take(): Buffer[] {
    this.takePending();
    const chunks = this.full;
    this.full = [];
    return chunks;
  }

  /** The same, and no buffer stays in use: the chunks' memory can be transferred to another thread. */
  takeAll(): Buffer[] {
    const chunks = this.take();
    this.pending = Buffer.alloc(0);
    this.start = this.used = 0;
    return chunks;
  }

  /** A buffer of chunks taken before, now written out: later lines are encoded into it again. */
  recycle(buffer: ArrayBuffer): void {
    if (this.spare.length < 8 && buffer.byteLength >= CHUNK_BYTES) this.spare.push(Buffer.from(buffer));
  }

  /** Moves the filled part of the buffer to the chunks to write; the rest of the buffer stays in use. */
  private takePending(): void {
    if (this.used > this.start) this.full.push(this.pending.subarray(this.start, this.used));
    this.start = this.used;
  }

  /** A fresh buffer once the current one has no room: the stream may still hold what was taken from it. */
  private newBuffer(atLeast: number): void {
    this.takePending();
    const spare = this.spare.pop();
    this.pending = spare && spare.length >= atLeast ? spare : Buffer.allocUnsafeSlow(Math.max(CHUNK_BYTES, atLeast));
    this.start = this.used = 0;
  }
}
