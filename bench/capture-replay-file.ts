// Writes a synthetic pcap of DNS traffic for the replay benchmark: UDP queries and responses
// over Ethernet (IPv4, a tenth IPv6), with varied names, types and rcodes, answers in responses.
import { createWriteStream } from 'node:fs';
import dnsPacket from 'dns-packet';
import { pcapFileHeader, pcapRecordHeader } from '../test/helpers/pcap-writer.js';

export interface SyntheticCapture {
  packets: number;
  nxdomain: number;
  bytes: number;
}

const NAMES = 5000;

function name(i: number): string {
  return `host${i}.svc${i % 97}.example${i % 13}.com`;
}

function frame(v6: boolean, src: number, sport: number, dport: number, dns: Buffer): Buffer {
  const ipLen = v6 ? 40 : 20;
  const b = Buffer.alloc(14 + ipLen + 8 + dns.length);
  b.write('020000000001020000000002', 0, 'hex');
  b.writeUInt16BE(v6 ? 0x86dd : 0x0800, 12);
  const ip = 14;
  if (v6) {
    b[ip] = 0x60;
    b.writeUInt16BE(8 + dns.length, ip + 4);
    b[ip + 6] = 17;
    b[ip + 7] = 64;
    const client = 'fd000000000000000000000000000001';
    const resolver = 'fd000000000000000000000000000053';
    b.write(src === 0x53 ? resolver : client, ip + 8, 'hex');
    b.write(src === 0x53 ? client : resolver, ip + 24, 'hex');
  } else {
    b[ip] = 0x45;
    b.writeUInt16BE(20 + 8 + dns.length, ip + 2);
    b[ip + 8] = 64;
    b[ip + 9] = 17;
    b.writeUInt32BE(src === 0x53 ? 0x0a000035 : 0x0a000001 + (src & 0xff), ip + 12);
    b.writeUInt32BE(src === 0x53 ? 0x0a000001 : 0x0a000035, ip + 16);
  }
  const u = ip + ipLen;
  b.writeUInt16BE(sport, u);
  b.writeUInt16BE(dport, u + 2);
  b.writeUInt16BE(8 + dns.length, u + 4);
  dns.copy(b, u + 8);
  return b;
}

/** Writes `transactions` query/response pairs (2 packets each) to path as a microsecond pcap. */
export async function writeSyntheticCapture(path: string, transactions: number): Promise<SyntheticCapture> {
  const queries: Buffer[] = [];
  const answers: Buffer[] = [];
  for (let i = 0; i < NAMES; i++) {
    const type = i % 4 === 0 ? 'AAAA' : 'A';
    const q = { type, name: name(i) } as const;
    queries.push(dnsPacket.encode({ type: 'query', id: 0, flags: dnsPacket.RECURSION_DESIRED, questions: [q] }));
    const nx = i % 20 === 0;
    const data = type === 'A' ? `10.${i & 255}.${(i >> 8) & 255}.1` : `2001:db8::${i.toString(16)}`;
    answers.push(dnsPacket.encode({
      type: 'response', id: 0, flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (nx ? 3 : 0), questions: [q],
      answers: nx ? [] : [{ type, name: name(i), ttl: 300, data }, ...(i % 3 === 0 ? [{ type, name: name(i), ttl: 300, data }] : [])],
    } as dnsPacket.Packet));
  }
  const out = createWriteStream(path);
  const write = (b: Buffer) => (out.write(b) ? undefined : new Promise<void>((r) => out.once('drain', () => r())));
  await write(pcapFileHeader(1)); // Ethernet
  let bytes = 24;
  let nxdomain = 0;
  let t = Date.UTC(2026, 0, 1) * 1000; // microseconds
  const batch: Buffer[] = [];
  for (let i = 0; i < transactions; i++) {
    const n = (i * 7919) % NAMES;
    const id = i & 0xffff;
    const v6 = i % 10 === 0;
    const sport = 1024 + (i % 60000);
    if (n % 20 === 0) nxdomain++;
    for (const [isResp, msg] of [[false, queries[n]], [true, answers[n]]] as const) {
      const dns = Buffer.from(msg);
      dns.writeUInt16BE(id, 0);
      const f = isResp ? frame(v6, 0x53, 53, sport, dns) : frame(v6, i & 0xff, sport, 53, dns);
      t += isResp ? 350 : 50;
      batch.push(pcapRecordHeader(t / 1000, f.length), f);
      bytes += 16 + f.length;
    }
    if (batch.length >= 4096) await write(Buffer.concat(batch.splice(0)));
  }
  if (batch.length) await write(Buffer.concat(batch));
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return { packets: transactions * 2, nxdomain, bytes };
}
