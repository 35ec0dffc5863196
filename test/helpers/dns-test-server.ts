// A tiny authoritative DNS server on loopback (UDP and TCP, same port) answering from a table,
// for tests of DNS checks and of checks that resolve through their own resolver.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type AddressInfo } from 'node:net';
import * as dnsPacket from 'dns-packet';

/** How the server treats a name: answer records, an error rcode, or silence (the client times out). */
export type DnsBehaviour =
  | { answers: dnsPacket.Answer[] }
  | { rcode: 'NXDOMAIN' | 'SERVFAIL' | 'REFUSED' }
  | { drop: true };

export interface DnsTestServer {
  host: string;
  port: number;
  /** Whether TCP listens on the same port too. */
  tcpAvailable: boolean;
  /** Queries received, as "name TYPE". */
  queries: string[];
  close(): Promise<void>;
}

const RCODE: Record<string, number> = { NXDOMAIN: 3, SERVFAIL: 2, REFUSED: 5 };

export async function startDnsTestServer(zone: Record<string, DnsBehaviour>): Promise<DnsTestServer> {
  const queries: string[] = [];
  const reply = (buf: Buffer): Buffer | undefined => {
    const q = dnsPacket.decode(buf);
    const question = q.questions?.[0];
    if (!question) return undefined;
    queries.push(`${question.name} ${question.type}`);
    const b = zone[question.name.toLowerCase()] ?? { rcode: 'NXDOMAIN' as const };
    if ('drop' in b) return undefined;
    const rcode = 'rcode' in b ? RCODE[b.rcode] : 0;
    const answers = 'answers' in b ? b.answers.filter((a) => a.type === question.type || a.type === 'CNAME') : [];
    return dnsPacket.encode({ type: 'response', id: q.id, flags: dnsPacket.AUTHORITATIVE_ANSWER | (q.flags ?? 0) & dnsPacket.RECURSION_DESIRED | rcode, questions: q.questions, answers });
  };

  const udp: UdpSocket = createSocket('udp4');
  udp.on('message', (msg, rinfo) => {
    const out = safe(() => reply(msg));
    if (out) udp.send(out, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
  const port = udp.address().port;

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
  // The same port number on TCP; another process may hold it, in which case TCP tests skip.
  const tcpPort = await new Promise<number>((resolve) => {
    tcp.once('error', () => resolve(0));
    tcp.listen(port, '127.0.0.1', () => resolve((tcp.address() as AddressInfo).port));
  });

  return {
    host: '127.0.0.1',
    port,
    tcpAvailable: tcpPort === port,
    queries,
    close: async () => {
      udp.close();
      await new Promise<void>((resolve) => (tcpPort ? tcp.close(() => resolve()) : resolve()));
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
