// TCP segments (and ICMP errors quoting one) that a worker's wire decoder forwards, packed into a
// transferable buffer for the thread that keeps the connection state. Each carries its
// position: how far the worker's output had got when it was met, so that the events the
// segment yields take the same place as in a single-threaded replay.
//
// Layout, per segment: a 44-byte header (f64 ts, u32 position, u16 sport, u16 dport, u32 seq,
// u32 ack, u32 payload length, u32 wire length, u32 ifindex, u32 errno, u8 address length,
// u8 flags, u8 kind, u8 has-ifindex), then source address, destination address, payload.
import type { TcpFailReason } from '../events.js';
import type { TcpSegment, TcpUnreachable } from './tcp-flow-table.js';

const HEADER = 44;
/** kind 0 is a segment; the others an ICMP error with this reason (index + 1). */
const UNREACHABLE_REASONS: readonly TcpFailReason[] = ['refused', 'unreachable'];

export class TcpSegmentBatchWriter {
  private bytes = new Uint8Array(4096);
  private view = new DataView(this.bytes.buffer);
  private used = 0;

  add(s: Readonly<TcpSegment>, unreachable: TcpUnreachable | undefined, position: number): void {
    const payloadLen = unreachable ? 0 : s.payloadLen;
    const need = HEADER + 2 * s.addrLen + payloadLen;
    if (this.bytes.length - this.used < need) this.grow(need);
    const v = this.view;
    const at = this.used;
    v.setFloat64(at, s.ts, true);
    v.setUint32(at + 8, position, true);
    v.setUint16(at + 12, s.sport, true);
    v.setUint16(at + 14, s.dport, true);
    v.setUint32(at + 16, s.seq, true);
    v.setUint32(at + 20, s.ack, true);
    v.setUint32(at + 24, payloadLen, true);
    v.setUint32(at + 28, s.wireLen, true);
    v.setUint32(at + 32, s.ifindex ?? 0, true);
    v.setUint32(at + 36, unreachable?.errno ?? 0, true);
    this.bytes[at + 40] = s.addrLen;
    this.bytes[at + 41] = s.flags;
    this.bytes[at + 42] = unreachable ? UNREACHABLE_REASONS.indexOf(unreachable.reason) + 1 : 0;
    this.bytes[at + 43] = s.ifindex === undefined ? 0 : 1;
    let p = at + HEADER;
    this.bytes.set(s.data.subarray(s.srcOff, s.srcOff + s.addrLen), p);
    this.bytes.set(s.data.subarray(s.dstOff, s.dstOff + s.addrLen), (p += s.addrLen));
    this.bytes.set(s.data.subarray(s.payloadOff, s.payloadOff + payloadLen), (p += s.addrLen));
    this.used = p + payloadLen;
  }

  /** The segments added since the last take, in a buffer of their own (undefined when none). */
  take(): { buffer: ArrayBuffer; length: number } | undefined {
    if (this.used === 0) return undefined;
    const out = { buffer: this.bytes.buffer as ArrayBuffer, length: this.used };
    this.bytes = new Uint8Array(4096);
    this.view = new DataView(this.bytes.buffer);
    this.used = 0;
    return out;
  }

  private grow(need: number): void {
    const next = new Uint8Array(Math.max(2 * this.bytes.length, this.used + need));
    next.set(this.bytes.subarray(0, this.used));
    this.bytes = next;
    this.view = new DataView(next.buffer);
  }
}

/** Each segment of a batch, in order, with the ICMP error it stands for (if any) and its position. */
export function readTcpSegmentBatch(batch: Uint8Array, each: (seg: TcpSegment, unreachable: TcpUnreachable | undefined, position: number) => void): void {
  const v = new DataView(batch.buffer, batch.byteOffset, batch.byteLength);
  let at = 0;
  while (at + HEADER <= batch.length) {
    const addrLen = batch[at + 40];
    const payloadLen = v.getUint32(at + 24, true);
    const kind = batch[at + 42];
    const srcOff = at + HEADER;
    const seg: TcpSegment = {
      data: batch, ts: v.getFloat64(at, true), addrLen, srcOff, dstOff: srcOff + addrLen,
      sport: v.getUint16(at + 12, true), dport: v.getUint16(at + 14, true), seq: v.getUint32(at + 16, true), ack: v.getUint32(at + 20, true),
      flags: batch[at + 41], payloadOff: srcOff + 2 * addrLen, payloadLen, wireLen: v.getUint32(at + 28, true),
      ifindex: batch[at + 43] ? v.getUint32(at + 32, true) : undefined,
    };
    const reason = kind === 0 ? undefined : UNREACHABLE_REASONS[kind - 1];
    each(seg, reason === undefined ? undefined : { reason, errno: v.getUint32(at + 36, true) }, v.getUint32(at + 8, true));
    at = seg.payloadOff + payloadLen;
  }
}
