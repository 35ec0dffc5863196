// Writes small classic pcap files (Ethernet, IPv4, UDP DNS responses and TCP SYNs) for the
// labelling tests: the capture is built byte by byte, so no traffic is sent anywhere.
import { writeFileSync } from 'node:fs';
import dnsPacket from 'dns-packet';
import { parseDnsSummary, readAnswerRecords } from '../../src/dns/message.js';
import type { DnsPacket } from '../../src/events.js';
import type { PassiveDns } from '../../src/external/sources/passive-dns.js';
import { pcapFileHeader, pcapRecordHeader } from '../helpers/pcap-writer.js';

export interface PcapFrame {
  tsMs: number;
  bytes: Buffer;
}

function ipv4Bytes(ip: string): number[] {
  return ip.split('.').map(Number);
}

function ipv4Header(src: string, dst: string, proto: number, payloadLen: number): Buffer {
  const h = Buffer.alloc(20);
  h[0] = 0x45;
  h.writeUInt16BE(20 + payloadLen, 2);
  h[8] = 64;
  h[9] = proto;
  Buffer.from(ipv4Bytes(src)).copy(h, 12);
  Buffer.from(ipv4Bytes(dst)).copy(h, 16);
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += h.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  h.writeUInt16BE(~sum & 0xffff, 10);
  return h;
}

const ETHERNET = Buffer.from([0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 6, 0x08, 0x00]);

export function udpFrame(tsMs: number, src: string, sport: number, dst: string, dport: number, payload: Buffer): PcapFrame {
  const udp = Buffer.alloc(8);
  udp.writeUInt16BE(sport, 0);
  udp.writeUInt16BE(dport, 2);
  udp.writeUInt16BE(8 + payload.length, 4);
  return { tsMs, bytes: Buffer.concat([ETHERNET, ipv4Header(src, dst, 17, 8 + payload.length), udp, payload]) };
}

export function tcpSynFrame(tsMs: number, src: string, sport: number, dst: string, dport: number): PcapFrame {
  const tcp = Buffer.alloc(20);
  tcp.writeUInt16BE(sport, 0);
  tcp.writeUInt16BE(dport, 2);
  tcp.writeUInt32BE(1000, 4);
  tcp[12] = 5 << 4;
  tcp[13] = 0x02; // SYN
  tcp.writeUInt16BE(65535, 14);
  return { tsMs, bytes: Buffer.concat([ETHERNET, ipv4Header(src, dst, 6, 20), tcp]) };
}

export interface AnswerRecord {
  name: string;
  type: 'A' | 'AAAA' | 'CNAME';
  ttl: number;
  data: string;
}

/** A DNS query for `qname` (type A), as wire bytes. */
export function dnsQuery(qname: string, id = 1): Buffer {
  return dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name: qname, type: 'A', class: 'IN' }] });
}

/** A DNS response to `qname` with the given answers (rcode 3 is NXDOMAIN), as wire bytes. */
export function dnsResponse(qname: string, answers: AnswerRecord[], id = 1, rcode = 0): Buffer {
  return dnsPacket.encode({
    type: 'response',
    id,
    flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | rcode,
    questions: [{ name: qname, type: 'A', class: 'IN' }],
    answers: answers.map((a) => ({ name: a.name, type: a.type, class: 'IN', ttl: a.ttl, data: a.data })),
  });
}

export function writePcap(path: string, frames: PcapFrame[]): void {
  const parts: Buffer[] = [pcapFileHeader(1, { snaplen: 65535 })]; // Ethernet
  for (const f of frames) parts.push(pcapRecordHeader(f.tsMs, f.bytes.length), f.bytes);
  writeFileSync(path, Buffer.concat(parts));
}

/**
 * Teaches passive DNS one response as the labelling stage does: the question and answer records
 * read off the wire (the DNS analyzer's parse), recorded at the packet's time.
 */
export function learnResponse(pdns: PassiveDns, packet: DnsPacket): void {
  const parsed = parseDnsSummary(packet.payload);
  if (!parsed.ok) throw new Error(`test fixture: unreadable DNS response (${parsed.reason})`);
  const s = parsed.summary;
  pdns.recordAnswer(s.qname, readAnswerRecords({ payload: packet.payload, offset: s.answersAt, count: s.ancount }), packet.ts);
}
