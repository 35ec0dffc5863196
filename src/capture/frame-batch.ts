// Frames of a capture file as one transferable batch for a worker thread: the thread reading the
// file keeps the framing (byte order, pcapng interfaces) and workers decode the frames with their
// own wire decoder. A batch is the bytes the frames came from, copied once, and an index of
// frames into them; copying each frame on its own cost the reading thread more than framing.
import type { FrameSink } from './pcap-records.js';

/** Index fields per frame: start, end, ts, linkType, origLen, ifindex (-1: none). */
const FIELDS = 6;

/** A batch ready to transfer: bytes[0, length) and the index of `frames` frames into them. */
export interface FrameBatch {
  bytes: ArrayBuffer;
  length: number;
  index: ArrayBuffer;
  frames: number;
}

export class FrameBatchWriter implements FrameSink {
  private index = new Float64Array(FIELDS * 1024);
  private frames = 0;
  private data: Uint8Array | undefined;
  private first = 0;
  private last = 0;
  /** Buffers of batches already decoded, to fill again: fresh memory costs a page fault per 4 KiB. */
  private readonly spare: FrameBatch[] = [];

  /**
   * Frames of one batch come from one buffer: the file reader takes the batch after each read,
   * before the next buffer is parsed.
   */
  decodeRange(linkType: number, ts: number, data: Uint8Array, start: number, end: number, origLen: number, ifindex?: number): void {
    if (this.frames === 0) {
      this.data = data;
      this.first = start;
    } else if (data !== this.data) {
      throw new Error('frames of one batch must come from one buffer');
    }
    if (this.index.length < (this.frames + 1) * FIELDS) {
      const next = new Float64Array(this.index.length * 2);
      next.set(this.index);
      this.index = next;
    }
    const i = this.frames * FIELDS;
    const x = this.index;
    x[i] = start;
    x[i + 1] = end;
    x[i + 2] = ts;
    x[i + 3] = linkType;
    x[i + 4] = origLen;
    x[i + 5] = ifindex ?? -1;
    this.last = end;
    this.frames++;
  }

  /** The frames added since the last take, in buffers of their own (undefined when none). */
  take(): FrameBatch | undefined {
    if (this.frames === 0 || !this.data) return undefined;
    const length = this.last - this.first;
    const used = this.frames * FIELDS;
    const old = this.spare.pop();
    const fits = old && old.bytes.byteLength >= length && old.index.byteLength >= used * 8;
    const bytes = new Uint8Array(fits ? old.bytes : new ArrayBuffer(Math.max(length, 1 << 20)), 0, length);
    const index = new Float64Array(fits ? old.index : new ArrayBuffer(Math.max(used, FIELDS * 8192) * 8), 0, used);
    bytes.set(this.data.subarray(this.first, this.last));
    index.set(this.index.subarray(0, used));
    const shift = this.first;
    for (let i = 0; i < used; i += FIELDS) {
      index[i] -= shift;
      index[i + 1] -= shift;
    }
    const batch = { bytes: bytes.buffer as ArrayBuffer, length, index: index.buffer as ArrayBuffer, frames: this.frames };
    this.frames = 0;
    this.data = undefined;
    return batch;
  }

  /** A batch the decoder is done with: its buffers are filled again by a later take(). */
  recycle(batch: FrameBatch): void {
    if (this.spare.length < 8) this.spare.push(batch);
  }
}

/** Hands each frame of a batch to the sink (a wire decoder), in order. */
export function decodeFrameBatch(batch: FrameBatch, sink: FrameSink): void {
  const bytes = new Uint8Array(batch.bytes, 0, batch.length);
  const x = new Float64Array(batch.index, 0, batch.frames * FIELDS);
  for (let i = 0; i < batch.frames * FIELDS; i += FIELDS) {
    sink.decodeRange(x[i + 3], x[i + 2], bytes, x[i], x[i + 1], x[i + 4], x[i + 5] < 0 ? undefined : x[i + 5]);
  }
}
