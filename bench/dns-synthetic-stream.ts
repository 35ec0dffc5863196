// A synthetic, realistic DNS packet stream for the analysis benchmark: glibc-style A+AAAA pairs
// from many sockets to one cluster resolver, with NXDOMAIN, SERVFAIL and unanswered queries.
// Payloads are encoded once with dns-packet and reused, so generation costs little.
import dnsPacket from 'dns-packet';
import type { DnsPacket } from '../src/events.js';

const NAMES = 5_000;
const IDS = 8;
const SERVER = '10.96.0.10';

interface Pair {
  query: Buffer;
  response: Buffer;
}

function encodePair(name: string, type: 'A' | 'AAAA', id: number, rcode: number): Pair {
  const question = [{ type, name, class: 'IN' as const }];
  const answers = rcode !== 0 ? [] : type === 'A'
    ? [{ type: 'A' as const, name, ttl: 30, data: `10.${id & 255}.${(id >> 8) & 255}.7` }]
    : [{ type: 'AAAA' as const, name, ttl: 30, data: `fd00::${id.toString(16)}` }];
  return {
    query: dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: question }),
    response: dnsPacket.encode({ type: 'response', id, flags: 0x8000 | dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | rcode, questions: question, answers }),
  };
}

/** Precomputed payloads: NAMES names × IDS ids × {A, AAAA}. */
export class SyntheticDnsStream {
  private readonly pairs: Pair[][] = [];
  private lookup = 0;
  private ts: number;

  constructor(
    start = Date.UTC(2026, 0, 1),
    /** Time between lookups (each lookup is 4 packets): 0.2 ms is 20,000 packets/s, a busy node. */
    private readonly spacingMs = 0.2,
  ) {
    this.ts = start;
    for (let n = 0; n < NAMES; n++) {
      const name = n % 10 === 0 ? `svc-${n}.default.svc.cluster.local` : `api-${n}.vendor${n % 97}.example.com`;
      const rcode = n % 50 === 0 ? 3 : n % 333 === 0 ? 2 : 0; // 2 % NXDOMAIN, 0.3 % SERVFAIL
      const row: Pair[] = [];
      for (let i = 0; i < IDS; i++) {
        const id = (n * 131 + i * 977) & 0xffff;
        row.push(encodePair(name, 'A', id, rcode), encodePair(name, 'AAAA', (id + 1) & 0xffff, rcode));
      }
      this.pairs.push(row);
    }
  }

  /** Appends about `packets` packets (whole lookups) to out, in time order. */
  fill(out: DnsPacket[], packets: number): void {
    while (out.length < packets) {
      const k = this.lookup++;
      const n = (k * 7919) % NAMES;
      const row = this.pairs[n];
      const slot = (k % IDS) * 2;
      const client = `10.244.${(k >> 8) & 63}.${k & 255}`;
      const port = 32768 + (k % 28000);
      const t = this.ts;
      this.ts += this.spacingMs;
      const a = row[slot];
      const aaaa = row[slot + 1];
      const latency = 0.4 + (k % 97) * 0.05 + (k % 1000 === 0 ? 40 : 0);
      out.push(pkt(t, 'query', client, port, SERVER, 53, a.query), pkt(t + 0.01, 'query', client, port, SERVER, 53, aaaa.query));
      if (k % 500 === 7) continue; // 0.2 % of lookups never answered: timeouts
      out.push(pkt(t + latency, 'response', SERVER, 53, client, port, a.response), pkt(t + latency + 0.02, 'response', SERVER, 53, client, port, aaaa.response));
    }
  }
}

function pkt(ts: number, dir: 'query' | 'response', src: string, sport: number, dst: string, dport: number, payload: Buffer): DnsPacket {
  return { type: 'dns', ts, dir, proto: 'udp', src, sport, dst, dport, payload };
}
