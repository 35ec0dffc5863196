// Parses the classic libpcap file format: the global header (byte order and time resolution
// from the magic) and the records that follow, handing each frame to the wire decoder.
import type { WireDecoder } from './wire-decoder.js';

/** Where parsed frames go: the wire decoder (its range form, so no view is made per frame). */
export type FrameSink = Pick<WireDecoder, 'decodeRange'>;

/** What stops a record parser: the bytes cannot be a valid record and framing is lost. */
export interface RecordFault {
  fault: string;
  /** File offset of the bad record, for the message. */
  offset: number;
}

/** Splits a buffer of a capture file's body into frames; the state (byte order, interfaces) persists across calls. */
export interface CaptureRecordParser {
  /**
   * Parses whole records in buf[pos, end) (the first call gets at least 24 bytes, enough for
   * either format's file header) and returns the position after the last one (the
   * caller keeps the rest for the next read), or a fault when the bytes are not a record.
   * fileOffset is the file position of buf[0], used in fault messages only.
   */
  parse(buf: Buffer, pos: number, end: number, fileOffset: number, sink: FrameSink): number | RecordFault;
  /** Counters to add to the summary (records, skipped blocks…). */
  readonly counters: Record<string, number>;
}

/** Any record bigger than this is corruption, not a packet (libpcap uses 256 KiB; allow jumbo offload). */
export const MAX_RECORD = 16 << 20;

export const PCAP_MAGIC_MICRO = 0xa1b2c3d4;
export const PCAP_MAGIC_NANO = 0xa1b23c4d;
/** Alexey Kuznetzov's patched libpcap: 8 more bytes per record header (ifindex, protocol, type). */
export const PCAP_MAGIC_KUZNETZOV = 0xa1b2cd34;

export class PcapRecords implements CaptureRecordParser {
  readonly counters: Record<string, number> = { records: 0 };
  private le = true;
  private fracToMs = 1e-3;
  private recordHeader = 16;
  private linkType = 0;
  private started = false;

  parse(buf: Buffer, pos: number, end: number, fileOffset: number, sink: FrameSink): number | RecordFault {
    if (!this.started) {
      const magicLe = buf.readUInt32LE(pos);
      const magicBe = buf.readUInt32BE(pos);
      this.le = magicLe === PCAP_MAGIC_MICRO || magicLe === PCAP_MAGIC_NANO || magicLe === PCAP_MAGIC_KUZNETZOV;
      const magic = this.le ? magicLe : magicBe;
      this.fracToMs = magic === PCAP_MAGIC_NANO ? 1e-6 : 1e-3;
      this.recordHeader = magic === PCAP_MAGIC_KUZNETZOV ? 24 : 16;
      // The upper bits of the link-type field carry FCS information (pcap spec, "LinkType and additional information").
      this.linkType = (this.le ? buf.readUInt32LE(pos + 20) : buf.readUInt32BE(pos + 20)) & 0x0fffffff;
      this.started = true;
      pos += 24;
    }
    const le = this.le;
    const linkType = this.linkType;
    const hl = this.recordHeader;
    while (end - pos >= hl) {
      const sec = le ? buf.readUInt32LE(pos) : buf.readUInt32BE(pos);
      const frac = le ? buf.readUInt32LE(pos + 4) : buf.readUInt32BE(pos + 4);
      const incl = le ? buf.readUInt32LE(pos + 8) : buf.readUInt32BE(pos + 8);
      const orig = le ? buf.readUInt32LE(pos + 12) : buf.readUInt32BE(pos + 12);
      if (incl > MAX_RECORD) return { fault: `record length ${incl} is not plausible`, offset: fileOffset + pos };
      if (end - pos - hl < incl) break;
      this.counters.records++;
      sink.decodeRange(linkType, sec * 1000 + frac * this.fracToMs, buf, pos + hl, pos + hl + incl, orig < incl ? incl : orig);
      pos += hl + incl;
    }
    return pos;
  }
}
