// The two headers of a classic pcap file (the file's, then one per frame), for tests and
// benchmarks that write captures byte by byte instead of recording traffic.

export interface PcapFormat {
  /** Nanosecond timestamps (magic a1b23c4d) instead of microseconds. */
  nano?: boolean;
  bigEndian?: boolean;
  snaplen?: number;
}

/** Link types used here: 1 Ethernet, 0 BSD loopback, 101 raw IP, 113 SLL, 276 SLL2. */
export function pcapFileHeader(linkType: number, o: PcapFormat = {}): Buffer {
  const h = Buffer.alloc(24);
  write32(h, o.nano ? 0xa1b23c4d : 0xa1b2c3d4, 0, o);
  write16(h, 2, 4, o);
  write16(h, 4, 6, o);
  write32(h, o.snaplen ?? 262144, 16, o);
  write32(h, linkType, 20, o);
  return h;
}

/** A frame's header: time (epoch ms, fractional), captured length, length on the wire. */
export function pcapRecordHeader(tsMs: number, capturedLength: number, originalLength = capturedLength, o: PcapFormat = {}): Buffer {
  const perMs = o.nano ? 1e6 : 1e3;
  let sec = Math.floor(tsMs / 1000);
  let frac = Math.round((tsMs - sec * 1000) * perMs);
  if (frac >= 1000 * perMs) {
    sec++;
    frac -= 1000 * perMs;
  }
  const h = Buffer.alloc(16);
  write32(h, sec, 0, o);
  write32(h, frac, 4, o);
  write32(h, capturedLength, 8, o);
  write32(h, originalLength, 12, o);
  return h;
}

function write16(b: Buffer, v: number, off: number, o: PcapFormat): void {
  if (o.bigEndian) b.writeUInt16BE(v, off);
  else b.writeUInt16LE(v, off);
}

function write32(b: Buffer, v: number, off: number, o: PcapFormat): void {
  if (o.bigEndian) b.writeUInt32BE(v >>> 0, off);
  else b.writeUInt32LE(v >>> 0, off);
}
