// A synthetic, realistic DNS packet stream for the analysis benchmark: glibc-style A+AAAA pairs
// from many sockets to one cluster resolver, with NXDOMAIN, SERVFAIL and unanswered queries.
// Payloads are encoded once (dns-packet, per name and type; ids patched in) into one contiguous
// buffer, and each packet gets a view of its payload as the capture sources give: generation
// costs little, and the generator's own memory (a few MiB) does not hide the analyzer's.
import dnsPacket from 'dns-packet';
import type { DnsPacket } from '../src/events.js';

const NAMES = 5_000;
const IDS = 8;
const SERVER = '10.96.0.10';

function encodePair(name: string, type: 'A' | 'AAAA', n: number, rcode: number): [Buffer, Buffer] {
  const question = [{ type, name, class: 'IN' as const }];
  const answers = rcode !== 0 ? [] : type === 'A'
    ? [{ type: 'A' as const, name, ttl: 30, data: `10.${n & 255}.${(n >> 8) & 255}.7` }]
    : [{ type: 'AAAA' as const, name, ttl: 30, data: `fd00::${n.toString(16)}` }];
  return [
    dnsPacket.encode({ type: 'query', id: 0, flags: dnsPacket.RECURSION_DESIRED, questions: question }),
    dnsPacket.encode({ type: 'response', id: 0, flags: 0x8000 | dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | rcode, questions: question, answers }),
  ];
}

/** Precomputed payloads: NAMES names × IDS ids × {A, AAAA} × {query, response}. */
export class SyntheticDnsStream {
  /** All payloads, back to back; payload p is arena[offset[p], offset[p] + length[p]). */
  private readonly arena: Buffer;
  private readonly offset = new Int32Array(NAMES * IDS * 4);
  private readonly length = new Int32Array(NAMES * IDS * 4);
  private lookup = 0;
  private ts: number;

  constructor(
    start = Date.UTC(2026, 0, 1),
    /** Time between lookups (each lookup is 4 packets): 0.2 ms is 20,000 packets/s, a busy node. */
    private readonly spacingMs = 0.2,
  ) {
    this.ts = start;
    const templates: Buffer[][] = [];
    let bytes = 0;
    for (let n = 0; n < NAMES; n++) {
      const name = n % 10 === 0 ? `svc-${n}.default.svc.cluster.local` : `api-${n}.vendor${n % 97}.example.com`;
      const rcode = n % 50 === 0 ? 3 : n % 333 === 0 ? 2 : 0; // 2 % NXDOMAIN, 0.3 % SERVFAIL
      const t = [...encodePair(name, 'A', n, rcode), ...encodePair(name, 'AAAA', n, rcode)];
      templates.push(t);
      for (const b of t) bytes += b.length * IDS;
    }
    this.arena = Buffer.alloc(bytes);
    let at = 0;
    for (let n = 0; n < NAMES; n++) {
      for (let i = 0; i < IDS; i++) {
        const id = (n * 131 + i * 977) & 0xffff;
        // Payload index: ((n * IDS + i) * 4) + [A query, A response, AAAA query, AAAA response].
        templates[n].forEach((t, j) => {
          const p = (n * IDS + i) * 4 + j;
          t.copy(this.arena, at);
          this.arena.writeUInt16BE(j < 2 ? id : (id + 1) & 0xffff, at);
          this.offset[p] = at;
          this.length[p] = t.length;
          at += t.length;
        });
      }
    }
  }

  private payload(p: number): Buffer {
    return this.arena.subarray(this.offset[p], this.offset[p] + this.length[p]);
  }

  /** Appends about `packets` packets (whole lookups) to out, in time order. */
  fill(out: DnsPacket[], packets: number): void {
    while (out.length < packets) {
      const k = this.lookup++;
      const n = (k * 7919) % NAMES;
      const base = (n * IDS + (k % IDS)) * 4;
      const client = `10.244.${(k >> 8) & 63}.${k & 255}`;
      const port = 32768 + (k % 28000);
      const t = this.ts;
      this.ts += this.spacingMs;
      const latency = 0.4 + (k % 97) * 0.05 + (k % 1000 === 0 ? 40 : 0);
      out.push(pkt(t, 'query', client, port, SERVER, 53, this.payload(base)), pkt(t + 0.01, 'query', client, port, SERVER, 53, this.payload(base + 2)));
      if (k % 500 === 7) continue; // 0.2 % of lookups never answered: timeouts
      out.push(pkt(t + latency, 'response', SERVER, 53, client, port, this.payload(base + 1)), pkt(t + latency + 0.02, 'response', SERVER, 53, client, port, this.payload(base + 3)));
    }
  }
}

function pkt(ts: number, dir: 'query' | 'response', src: string, sport: number, dst: string, dport: number, payload: Uint8Array): DnsPacket {
  return { type: 'dns', ts, dir, proto: 'udp', src, sport, dst, dport, payload };
}
