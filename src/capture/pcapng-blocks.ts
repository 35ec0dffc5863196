// Parses pcapng (draft-ietf-opsawg-pcapng): section headers (byte order), interface descriptions
// (link type, if_tsresol, if_tsoffset) and enhanced, simple and obsolete packet blocks; every
// other block is skipped by its length.
import { MAX_RECORD, type CaptureRecordParser, type FrameSink, type RecordFault } from './pcap-records.js';

const SHB = 0x0a0d0d0a;
const IDB = 0x00000001;
const OPB = 0x00000002;
const SPB = 0x00000003;
const EPB = 0x00000006;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const OPT_IF_TSRESOL = 9;
const OPT_IF_TSOFFSET = 14;

interface CaptureInterface {
  linkType: number;
  snaplen: number;
  /** Timestamp units per second (if_tsresol; default microseconds). */
  unitsPerSecond: number;
  /** Milliseconds per timestamp unit. */
  msPerTick: number;
  /** if_tsoffset in milliseconds, added to every timestamp. */
  offsetMs: number;
}

export class PcapngBlocks implements CaptureRecordParser {
  readonly counters: Record<string, number> = { records: 0 };
  private le = true;
  private ifaces: CaptureInterface[] = [];
  /** Simple packet blocks carry no time: they inherit the previous packet's. */
  private lastTs = 0;

  parse(buf: Buffer, pos: number, end: number, fileOffset: number, sink: FrameSink): number | RecordFault {
    while (end - pos >= 12) {
      // A section header fixes the byte order of everything up to the next one.
      if (buf.readUInt32LE(pos) === SHB) {
        const magicLe = buf.readUInt32LE(pos + 8);
        if (magicLe === BYTE_ORDER_MAGIC) this.le = true;
        else if (buf.readUInt32BE(pos + 8) === BYTE_ORDER_MAGIC) this.le = false;
        else return { fault: 'section header has no byte-order magic', offset: fileOffset + pos };
      }
      const le = this.le;
      const type = le ? buf.readUInt32LE(pos) : buf.readUInt32BE(pos);
      const len = le ? buf.readUInt32LE(pos + 4) : buf.readUInt32BE(pos + 4);
      if (len < 12 || len % 4 !== 0 || len > MAX_RECORD) return { fault: `block length ${len} is not valid`, offset: fileOffset + pos };
      if (end - pos < len) break;
      const body = pos + 8;
      const bodyEnd = pos + len - 4;
      switch (type) {
        case SHB:
          this.ifaces = [];
          this.counters.sections = (this.counters.sections ?? 0) + 1;
          break;
        case IDB:
          if (bodyEnd - body < 8) return { fault: 'interface description block too short', offset: fileOffset + pos };
          this.ifaces.push(this.interfaceFrom(buf, body, bodyEnd));
          break;
        case EPB:
        case OPB: {
          if (bodyEnd - body < 20) return { fault: 'packet block too short', offset: fileOffset + pos };
          const id = type === EPB ? (le ? buf.readUInt32LE(body) : buf.readUInt32BE(body)) : le ? buf.readUInt16LE(body) : buf.readUInt16BE(body);
          const hi = le ? buf.readUInt32LE(body + 4) : buf.readUInt32BE(body + 4);
          const lo = le ? buf.readUInt32LE(body + 8) : buf.readUInt32BE(body + 8);
          const cap = le ? buf.readUInt32LE(body + 12) : buf.readUInt32BE(body + 12);
          const orig = le ? buf.readUInt32LE(body + 16) : buf.readUInt32BE(body + 16);
          const iface = this.ifaces[id];
          if (!iface) {
            this.bumpCounter('packets_unknown_interface');
            break;
          }
          if (cap > bodyEnd - body - 20) return { fault: `packet length ${cap} exceeds its block`, offset: fileOffset + pos };
          this.emit(iface, timestampMs(iface, hi, lo), buf, body + 20, cap, orig, sink);
          break;
        }
        case SPB: {
          const iface = this.ifaces[0];
          if (!iface || bodyEnd - body < 4) {
            this.bumpCounter('packets_unknown_interface');
            break;
          }
          const orig = le ? buf.readUInt32LE(body) : buf.readUInt32BE(body);
          // The captured length is not stored: the smaller of the original length and the snap length.
          const snap = iface.snaplen > 0 ? iface.snaplen : orig;
          const cap = Math.min(orig, snap, bodyEnd - body - 4);
          this.emit(iface, Number.NaN, buf, body + 4, cap, orig, sink);
          break;
        }
        default:
          this.bumpCounter('pcapng_blocks_skipped');
      }
      pos += len;
    }
    return pos;
  }

  private emit(iface: CaptureInterface, ms: number, buf: Buffer, start: number, cap: number, orig: number, sink: FrameSink): void {
    let ts = ms;
    if (Number.isNaN(ms)) ts = this.lastTs;
    else if (!(Math.abs(ms) <= MAX_DATE_MS)) {
      // 64-bit ticks, a resolution and an offset can name a time no date holds (a damaged file):
      // the packet is kept, with the previous packet's time, and counted.
      this.bumpCounter('timestamps_out_of_range');
      ts = this.lastTs;
    }
    this.lastTs = ts;
    this.counters.records++;
    sink.decodeRange(iface.linkType, ts, buf, start, start + cap, orig < cap ? cap : orig);
  }

  private interfaceFrom(buf: Buffer, body: number, bodyEnd: number): CaptureInterface {
    const le = this.le;
    const iface: CaptureInterface = {
      linkType: le ? buf.readUInt16LE(body) : buf.readUInt16BE(body),
      snaplen: le ? buf.readUInt32LE(body + 4) : buf.readUInt32BE(body + 4),
      unitsPerSecond: 1e6,
      msPerTick: 1e-3,
      offsetMs: 0,
    };
    for (let p = body + 8; bodyEnd - p >= 4; ) {
      const code = le ? buf.readUInt16LE(p) : buf.readUInt16BE(p);
      const olen = le ? buf.readUInt16LE(p + 2) : buf.readUInt16BE(p + 2);
      if (code === 0 || p + 4 + olen > bodyEnd) break;
      if (code === OPT_IF_TSRESOL && olen >= 1) {
        const r = buf[p + 4];
        // High bit set: a negative power of two; otherwise a negative power of ten.
        const perSecond = r & 0x80 ? 2 ** (r & 0x7f) : 10 ** r;
        iface.unitsPerSecond = perSecond;
        iface.msPerTick = 1000 / perSecond;
      } else if (code === OPT_IF_TSOFFSET && olen >= 8) {
        iface.offsetMs = Number(le ? buf.readBigInt64LE(p + 4) : buf.readBigInt64BE(p + 4)) * 1000;
      }
      p += 4 + ((olen + 3) & ~3);
    }
    return iface;
  }

  private bumpCounter(key: string): void {
    this.counters[key] = (this.counters[key] ?? 0) + 1;
  }
}

/** The furthest time from 1970 that a JavaScript date (and an ISO 8601 text of it) can hold. */
const MAX_DATE_MS = 8.64e15;

/**
 * A 64-bit timestamp in milliseconds, computed as seconds * 1000 + fraction so it equals what
 * the classic pcap reader gives for the same packet; beyond 2^53 units (nanoseconds) doubles
 * cannot split it exactly, so BigInt does.
 */
function timestampMs(iface: CaptureInterface, hi: number, lo: number): number {
  const u = iface.unitsPerSecond;
  let sec: number;
  let frac: number;
  if (hi < 0x200000) {
    const ticks = hi * 4294967296 + lo;
    sec = Math.floor(ticks / u);
    frac = ticks - sec * u;
  } else {
    const ticks = (BigInt(hi) << 32n) | BigInt(lo);
    const bu = BigInt(u);
    sec = Number(ticks / bu);
    frac = Number(ticks % bu);
  }
  return sec * 1000 + frac * iface.msPerTick + iface.offsetMs;
}
