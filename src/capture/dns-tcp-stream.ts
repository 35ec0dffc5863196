// Reassembles one direction of a DNS-over-TCP connection into messages (RFC 1035 §4.2.2: each
// message is preceded by a two-byte length), across segments and several per segment, with
// bounded memory. Gaps and overlaps are counted, never thrown.

/** Memory shared by every stream of one decoder, so many flows cannot exhaust the heap. */
export interface ReassemblyBudget {
  /** Bytes currently held by partial messages and out-of-order segments. */
  used: number;
  readonly limit: number;
}

/** What a stream reports; the flow table turns messages into DnsPacket events. */
export interface DnsTcpStreamSink {
  message(payload: Uint8Array, ts: number): void;
  /** A counted problem: gap, overlap, duplicate, empty message, budget exhausted… */
  problem(reason: string): void;
  /** Something normal worth counting, e.g. a retransmitted segment already reassembled. */
  note(what: string): void;
}

interface PendingSegment {
  seq: number;
  data: Uint8Array;
}

/** Out-of-order segments kept per stream before giving up and resynchronising. */
const MAX_PENDING = 8;

export class DnsTcpStream {
  /** Next expected sequence number; undefined until the first segment (or SYN) fixes it. */
  private nextSeq: number | undefined;
  /** Length prefix bytes read so far (0, 1 or 2) and their value. */
  private hdrHave = 0;
  private hdrVal = 0;
  /** The message being filled, allocated once its length is known. */
  private msg: Uint8Array | undefined;
  private msgHave = 0;
  private pending: PendingSegment[] | undefined;
  /** Bytes of a message being skipped because there was no memory for it (framing is kept). */
  private skip = 0;

  constructor(
    private readonly sink: DnsTcpStreamSink,
    private readonly budget: ReassemblyBudget,
  ) {}

  /** The SYN consumes one sequence number: data starts at isn + 1. */
  start(isn: number): void {
    this.nextSeq = (isn + 1) >>> 0;
  }

  /** Feeds the payload bytes data[off, off+len) that start at sequence number seq. */
  push(data: Uint8Array, off: number, len: number, seq: number, ts: number): void {
    if (len === 0) return;
    if (this.nextSeq === undefined) this.nextSeq = seq;
    const diff = (seq - this.nextSeq) | 0;
    if (diff > 0) {
      this.hold(seq, data.subarray(off, off + len), ts);
      return;
    }
    if (diff < 0) {
      if (diff + len <= 0) {
        this.sink.note('dns_tcp_duplicate_segments');
        return;
      }
      off -= diff;
      len += diff;
    }
    this.consume(data, off, len, ts);
    this.nextSeq = (this.nextSeq + len) >>> 0;
    if (this.pending) this.drainPending(ts);
  }

  /** Bytes still waiting (partial message or held segments): reported as incomplete. */
  close(): void {
    if (this.msg !== undefined || this.hdrHave > 0 || this.pending?.length) this.sink.problem('dns_tcp_incomplete_message');
    this.resetMessage();
    this.dropPending();
  }

  private hold(seq: number, bytes: Uint8Array, ts: number): void {
    const pending = (this.pending ??= []);
    if (pending.length >= MAX_PENDING || this.budget.used + bytes.length > this.budget.limit) {
      // Waited long enough for the missing bytes: lose the partial message and start again at
      // this segment, assuming (as after a capture gap one must) that it begins a message.
      this.sink.problem('dns_tcp_gap');
      if (this.msg !== undefined || this.hdrHave > 0) this.sink.problem('dns_tcp_incomplete_message');
      this.resetMessage();
      this.dropPending();
      this.consume(bytes, 0, bytes.length, ts);
      this.nextSeq = (seq + bytes.length) >>> 0;
      return;
    }
    // The caller's bytes belong to a frame that may be reused: keep a copy.
    const copy = bytes.slice();
    this.budget.used += copy.length;
    pending.push({ seq, data: copy });
  }

  private drainPending(ts: number): void {
    const pending = this.pending!;
    let progressed = true;
    while (progressed && pending.length > 0) {
      progressed = false;
      for (let i = 0; i < pending.length; i++) {
        const p = pending[i];
        const diff = (p.seq - this.nextSeq!) | 0;
        if (diff > 0) continue;
        pending.splice(i, 1);
        this.budget.used -= p.data.length;
        if (diff + p.data.length > 0) {
          this.consume(p.data, -diff, p.data.length + diff, ts);
          this.nextSeq = (this.nextSeq! + p.data.length + diff) >>> 0;
        }
        progressed = true;
        break;
      }
    }
  }

  private dropPending(): void {
    if (!this.pending) return;
    for (const p of this.pending) this.budget.used -= p.data.length;
    this.pending = undefined;
  }

  private resetMessage(): void {
    if (this.msg) this.budget.used -= this.msg.length;
    this.msg = undefined;
    this.msgHave = 0;
    this.hdrHave = 0;
    this.hdrVal = 0;
    this.skip = 0;
  }

  /** Splits in-order bytes into messages; whole messages inside one segment are not copied. */
  private consume(d: Uint8Array, off: number, len: number, ts: number): void {
    const end = off + len;
    while (off < end) {
      if (this.skip > 0) {
        const take = Math.min(end - off, this.skip);
        this.skip -= take;
        off += take;
        continue;
      }
      if (this.msg !== undefined) {
        const take = Math.min(end - off, this.msg.length - this.msgHave);
        this.msg.set(d.subarray(off, off + take), this.msgHave);
        this.msgHave += take;
        off += take;
        if (this.msgHave === this.msg.length) {
          const done = this.msg;
          this.budget.used -= done.length;
          this.msg = undefined;
          this.msgHave = 0;
          this.sink.message(done, ts);
        }
        continue;
      }
      if (this.hdrHave === 0 && end - off >= 2) {
        const mlen = (d[off] << 8) | d[off + 1];
        if (mlen === 0) {
          this.sink.problem('dns_tcp_empty_message');
          off += 2;
          continue;
        }
        if (end - off - 2 >= mlen) {
          this.sink.message(d.subarray(off + 2, off + 2 + mlen), ts);
          off += 2 + mlen;
          continue;
        }
        off += 2;
        this.beginMessage(mlen);
        continue;
      }
      // A length prefix split across segments.
      this.hdrVal = (this.hdrVal << 8) | d[off++];
      if (++this.hdrHave === 2) {
        const mlen = this.hdrVal;
        this.hdrHave = 0;
        this.hdrVal = 0;
        if (mlen === 0) this.sink.problem('dns_tcp_empty_message');
        else this.beginMessage(mlen);
      }
    }
  }

  private beginMessage(mlen: number): void {
    if (this.budget.used + mlen > this.budget.limit) {
      // No room: this message is lost, but its length keeps the framing for the next one.
      this.sink.problem('dns_tcp_buffer_limit');
      this.skip = mlen;
      return;
    }
    this.budget.used += mlen;
    this.msg = new Uint8Array(mlen);
    this.msgHave = 0;
  }
}
