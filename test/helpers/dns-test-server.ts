// A tiny authoritative DNS server on loopback (UDP and TCP, same port) answering from a table,
// for tests of DNS checks and of checks that resolve through their own resolver.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import * as dnsPacket from 'dns-packet';

/** How the server treats a name: answer records, an error rcode, or silence (the client times out). */
export type DnsBehaviour =
  | { answers: dnsPacket.Answer[] }
  | { rcode: 'NXDOMAIN' | 'SERVFAIL' | 'REFUSED' }
  | { drop: true }
  /** A reply whose counts claim 65,535 records of each section that it does not hold. */
  | { overstatedCounts: true };

export interface DnsTestServer {
  host: string;
  port: number;
  /** TCP listens on the same port too (kept for callers that check it). */
  tcpAvailable: boolean;
  /** Queries received, as "name TYPE". */
  queries: string[];
  close(): Promise<void>;
}

const RCODE: Record<string, number> = { NXDOMAIN: 3, SERVFAIL: 2, REFUSED: 5 };

export interface DnsTestServerOptions {
  /** How names missing from the zone are treated (default: NXDOMAIN). */
  resolve?: (name: string) => DnsBehaviour;
  /** Records every query in `queries` (default true; off for load generators). */
  keepQueries?: boolean;
}

export async function startDnsTestServer(zone: Record<string, DnsBehaviour>, opts: DnsTestServerOptions = {}): Promise<DnsTestServer> {
  const queries: string[] = [];
  const keep = opts.keepQueries ?? true;
  const reply = (buf: Buffer): Buffer | undefined => {
    const q = dnsPacket.decode(buf);
    const question = q.questions?.[0];
    if (!question) return undefined;
    if (keep) queries.push(`${question.name} ${question.type}`);
    const name = question.name.toLowerCase();
    const b = zone[name] ?? opts.resolve?.(name) ?? { rcode: 'NXDOMAIN' as const };
    if ('drop' in b) return undefined;
    if ('overstatedCounts' in b) {
      const lie = dnsPacket.encode({ type: 'response', id: q.id, flags: 0, questions: q.questions });
      for (const at of [6, 8, 10]) lie.writeUInt16BE(0xffff, at);
      return lie;
    }
    const rcode = 'rcode' in b ? RCODE[b.rcode] : 0;
    const answers = 'answers' in b ? b.answers.filter((a) => a.type === question.type || a.type === 'CNAME') : [];
    return dnsPacket.encode({ type: 'response', id: q.id, flags: dnsPacket.AUTHORITATIVE_ANSWER | (q.flags ?? 0) & dnsPacket.RECURSION_DESIRED | rcode, questions: q.questions, answers });
  };

  const onUdp = (udp: UdpSocket) =>
    udp.on('message', (msg, rinfo) => {
      const out = safe(() => reply(msg));
      if (out) udp.send(out, rinfo.port, rinfo.address);
    });
  const tcp: Server = createServer((sock) => {
    let buffered = Buffer.alloc(0);
    sock.on('error', () => undefined);
    sock.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        const len = buffered.readUInt16BE(0);
        const out = safe(() => reply(buffered.subarray(2, 2 + len)));
        buffered = buffered.subarray(2 + len);
        if (out) {
          const framed = Buffer.alloc(2);
          framed.writeUInt16BE(out.length);
          sock.write(Buffer.concat([framed, out]));
        }
      }
    });
  });

  // UDP and TCP on the same port number: an ephemeral UDP port may be held on TCP by another
  // process (busy machines, parallel suites), so try fresh ports until both bind.
  let udp: UdpSocket | undefined;
  let port = 0;
  for (let attempt = 0; attempt < 50 && !udp; attempt++) {
    const candidate = createSocket('udp4');
    await new Promise<void>((resolve) => candidate.bind(0, '127.0.0.1', resolve));
    const candidatePort = candidate.address().port;
    const tcpOk = await new Promise<boolean>((resolve) => {
      const onError = () => resolve(false);
      tcp.once('error', onError);
      tcp.listen(candidatePort, '127.0.0.1', () => {
        tcp.off('error', onError);
        resolve(true);
      });
    });
    if (tcpOk) {
      udp = candidate;
      port = candidatePort;
    } else {
      candidate.close();
    }
  }
  if (!udp) throw new Error('no loopback port free on both UDP and TCP after 50 tries');
  onUdp(udp);
  const boundUdp = udp;

  return {
    host: '127.0.0.1',
    port,
    tcpAvailable: true,
    queries,
    close: async () => {
      boundUdp.close();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    },
  };
}

function safe<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined; // malformed queries get no answer, as a real server would drop them
  }
}
