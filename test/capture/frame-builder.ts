// Builds hand-made frames (Ethernet, VLAN, SLL, SLL2, BSD loopback, raw IP; IPv4/IPv6; UDP/TCP)
// and pcap/pcapng files around them, for decoder tests that need exact bytes.
import { isIPv4 } from 'node:net';
import { pcapFileHeader, pcapRecordHeader, type PcapFormat } from '../helpers/pcap-writer.js';

export function ipBytes(addr: string): Buffer {
  if (isIPv4(addr)) return Buffer.from(addr.split('.').map(Number));
  const [head, tail] = addr.includes('::') ? addr.split('::') : [addr, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

export interface L4 {
  src: string;
  dst: string;
  sport: number;
  dport: number;
}

export function udp(f: L4, payload: Uint8Array): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(f.sport, 0);
  h.writeUInt16BE(f.dport, 2);
  h.writeUInt16BE(8 + payload.length, 4);
  return Buffer.concat([h, payload]);
}

export const FIN = 1, SYN = 2, RST = 4, PSH = 8, ACK = 16;

export function tcp(f: L4, o: { seq: number; ack?: number; flags: number; payload?: Uint8Array }): Buffer {
  const h = Buffer.alloc(20);
  h.writeUInt16BE(f.sport, 0);
  h.writeUInt16BE(f.dport, 2);
  h.writeUInt32BE(o.seq >>> 0, 4);
  h.writeUInt32BE((o.ack ?? 0) >>> 0, 8);
  h[12] = 5 << 4;
  h[13] = o.flags;
  h.writeUInt16BE(65535, 14);
  return Buffer.concat([h, o.payload ?? Buffer.alloc(0)]);
}

/** An IP packet (v4 or v6 by address) around a transport segment; opts adds IPv4 options or IPv6 extension headers. */
export function ip(f: L4, proto: number, l4: Buffer, opts: { ipv4Options?: Buffer; ipv6HopByHop?: boolean; fragment?: boolean } = {}): Buffer {
  if (isIPv4(f.src)) {
    const optsLen = opts.ipv4Options?.length ?? 0;
    const h = Buffer.alloc(20 + optsLen);
    h[0] = 0x40 | ((20 + optsLen) / 4);
    h.writeUInt16BE(h.length + l4.length, 2);
    h.writeUInt16BE(opts.fragment ? 0x2000 : 0x4000, 6);
    h[8] = 64;
    h[9] = proto;
    ipBytes(f.src).copy(h, 12);
    ipBytes(f.dst).copy(h, 16);
    opts.ipv4Options?.copy(h, 20);
    return Buffer.concat([h, l4]);
  }
  const ext: Buffer[] = [];
  let next = proto;
  if (opts.fragment) {
    const fh = Buffer.alloc(8);
    fh[0] = next;
    fh.writeUInt16BE(0x0001, 2); // offset 0, more fragments
    ext.unshift(fh);
    next = 44;
  }
  if (opts.ipv6HopByHop) {
    const hbh = Buffer.alloc(8);
    hbh[0] = next;
    hbh[1] = 0;
    hbh[2] = 1; // PadN option filling the header
    hbh[3] = 4;
    ext.unshift(hbh);
    next = 0;
  }
  const extBuf = Buffer.concat(ext);
  const h = Buffer.alloc(40);
  h[0] = 0x60;
  h.writeUInt16BE(extBuf.length + l4.length, 4);
  h[6] = next;
  h[7] = 64;
  ipBytes(f.src).copy(h, 8);
  ipBytes(f.dst).copy(h, 24);
  return Buffer.concat([h, extBuf, l4]);
}

/** An Ethernet II frame; vlanTags adds 802.1Q tags (the outer one 802.1ad when there are two); pad adds trailing bytes as short frames carry. */
/** An ICMP (v4 type 3) or ICMPv6 (type 1) error from `router` to `to`, quoting the start of an IP packet. */
export function icmpError(router: string, to: string, type: number, code: number, quoted: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h[0] = type;
  h[1] = code;
  const v6 = quoted[0] >> 4 === 6;
  return ip({ src: router, sport: 0, dst: to, dport: 0 }, v6 ? 58 : 1, Buffer.concat([h, quoted.subarray(0, v6 ? 48 : 28)]));
}

export function ethernet(ipPacket: Buffer, vlanTags: number[] = [], pad = 0): Buffer {
  const seq: Buffer[] = [Buffer.from('020000000001020000000002', 'hex')];
  vlanTags.forEach((vid, i) => {
    const tag = Buffer.alloc(4);
    tag.writeUInt16BE(i === 0 && vlanTags.length > 1 ? 0x88a8 : 0x8100, 0);
    tag.writeUInt16BE(vid, 2);
    seq.push(tag);
  });
  const type = Buffer.alloc(2);
  type.writeUInt16BE(ipPacket[0] >> 4 === 6 ? 0x86dd : 0x0800, 0);
  seq.push(type, ipPacket, Buffer.alloc(pad));
  return Buffer.concat(seq);
}

export function sll(ipPacket: Buffer, pktType = 0, hatype = 772): Buffer {
  const h = Buffer.alloc(16);
  h.writeUInt16BE(pktType, 0);
  h.writeUInt16BE(hatype, 2);
  h.writeUInt16BE(6, 4);
  h.writeUInt16BE(ipPacket[0] >> 4 === 6 ? 0x86dd : 0x0800, 14);
  return Buffer.concat([h, ipPacket]);
}

export function sll2(ipPacket: Buffer, ifindex: number, pktType = 0, hatype = 772): Buffer {
  const h = Buffer.alloc(20);
  h.writeUInt16BE(ipPacket[0] >> 4 === 6 ? 0x86dd : 0x0800, 0);
  h.writeUInt32BE(ifindex, 4);
  h.writeUInt16BE(hatype, 8);
  h[10] = pktType;
  h[11] = 6;
  return Buffer.concat([h, ipPacket]);
}

/** BSD loopback header: the address family in little-endian (as written on x86 BSDs/macOS). */
export function bsdLoopback(ipPacket: Buffer, bigEndian = false): Buffer {
  const h = Buffer.alloc(4);
  const family = ipPacket[0] >> 4 === 6 ? 30 : 2;
  if (bigEndian) h.writeUInt32BE(family);
  else h.writeUInt32LE(family);
  return Buffer.concat([h, ipPacket]);
}

export interface FixtureFrame {
  ts: number;
  data: Buffer;
  origLen?: number;
}

/** A classic pcap file (microsecond or nanosecond, either byte order). */
export function pcapFile(linkType: number, frames: FixtureFrame[], o: PcapFormat = {}): Buffer {
  const parts: Buffer[] = [pcapFileHeader(linkType, o)];
  for (const f of frames) parts.push(pcapRecordHeader(f.ts, f.data.length, f.origLen ?? f.data.length, o), f.data);
  return Buffer.concat(parts);
}

function pad4(b: Buffer): Buffer {
  return b.length % 4 ? Buffer.concat([b, Buffer.alloc(4 - (b.length % 4))]) : b;
}

function block(type: number, body: Buffer, bigEndian: boolean): Buffer {
  const b = pad4(body);
  const out = Buffer.alloc(12 + b.length);
  const w32 = (v: number, off: number) => (bigEndian ? out.writeUInt32BE(v >>> 0, off) : out.writeUInt32LE(v >>> 0, off));
  w32(type, 0);
  w32(out.length, 4);
  b.copy(out, 8);
  w32(out.length, out.length - 4);
  return out;
}

export interface PcapngInterface {
  linkType: number;
  /** if_tsresol option byte (default 6 = microseconds). */
  tsresol?: number;
}

export interface PcapngPacket extends FixtureFrame {
  iface: number;
  /** Write a Simple Packet Block (interface 0, no timestamp) or an obsolete Packet Block. */
  kind?: 'epb' | 'spb' | 'opb';
}

/** A pcapng file: SHB, the IDBs, then the packets (plus an unknown block to be skipped). */
export function pcapngFile(ifaces: PcapngInterface[], packets: PcapngPacket[], o: { bigEndian?: boolean } = {}): Buffer {
  const be = o.bigEndian ?? false;
  const w16 = (b: Buffer, v: number, off: number) => (be ? b.writeUInt16BE(v, off) : b.writeUInt16LE(v, off));
  const w32 = (b: Buffer, v: number, off: number) => (be ? b.writeUInt32BE(v >>> 0, off) : b.writeUInt32LE(v >>> 0, off));
  const shbBody = Buffer.alloc(16);
  w32(shbBody, 0x1a2b3c4d, 0);
  w16(shbBody, 1, 4);
  w16(shbBody, 0, 6);
  shbBody.fill(0xff, 8, 16); // section length unknown
  const parts = [block(0x0a0d0d0a, shbBody, be)];
  for (const i of ifaces) {
    const opts: Buffer[] = [];
    if (i.tsresol !== undefined) {
      const opt = Buffer.alloc(8);
      w16(opt, 9, 0);
      w16(opt, 1, 2);
      opt[4] = i.tsresol;
      opts.push(opt);
      opts.push(Buffer.alloc(4)); // opt_endofopt
    }
    const body = Buffer.alloc(8);
    w16(body, i.linkType, 0);
    w32(body, 262144, 4);
    parts.push(block(1, Buffer.concat([body, ...opts]), be));
  }
  parts.push(block(0x0bad0bad, Buffer.from('unknown block body'), be));
  for (const p of packets) {
    const res = ifaces[p.iface]?.tsresol ?? 6;
    const units = res & 0x80 ? 2 ** (res & 0x7f) : 10 ** res;
    const ticks = BigInt(Math.round((p.ts / 1000) * units));
    if (p.kind === 'spb') {
      const body = Buffer.alloc(4);
      w32(body, p.origLen ?? p.data.length, 0);
      parts.push(block(3, Buffer.concat([body, p.data]), be));
      continue;
    }
    const body = Buffer.alloc(20);
    if (p.kind === 'opb') {
      w16(body, p.iface, 0);
      w16(body, 0, 2);
    } else {
      w32(body, p.iface, 0);
    }
    w32(body, Number(ticks >> 32n), 4);
    w32(body, Number(ticks & 0xffffffffn), 8);
    w32(body, p.data.length, 12);
    w32(body, p.origLen ?? p.data.length, 16);
    parts.push(block(p.kind === 'opb' ? 2 : 6, Buffer.concat([body, p.data]), be));
  }
  return Buffer.concat(parts);
}
