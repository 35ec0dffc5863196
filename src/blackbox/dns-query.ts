// Sends one DNS query with dns-packet over UDP or TCP to a given server and waits for its reply.
import { createSocket } from 'node:dgram';
import { isIPv6, connect as netConnect } from 'node:net';
import { randomInt } from 'node:crypto';
import * as dnsPacket from 'dns-packet';
import type { DnsTransport, HostPort } from './types.js';
import type { PhaseTimer } from './phase-timer.js';
import { ProtocolFailure } from './probe-errors.js';
import { settleOnce } from './settle-once.js';
import { countsFitMessage } from '../dns-counts.js';

export interface DnsQuery {
  server: HostPort;
  transport: DnsTransport;
  name: string;
  type: string;
  recursionDesired: boolean;
}

/** Resolves with the decoded reply; rejects on socket errors or when the signal aborts. */
export function queryDns(q: DnsQuery, signal: AbortSignal, timer?: PhaseTimer): Promise<dnsPacket.Packet> {
  const id = randomInt(0, 65536);
  const message = dnsPacket.encode({
    type: 'query',
    id,
    flags: q.recursionDesired ? dnsPacket.RECURSION_DESIRED : 0,
    questions: [{ type: q.type as dnsPacket.RecordType, name: q.name, class: 'IN' }],
  });
  return q.transport === 'udp' ? overUdp(q.server, message, id, signal, timer) : overTcp(q.server, message, id, signal, timer);
}

function decodeReply(buf: Buffer, id: number): dnsPacket.Packet | undefined {
  let reply: dnsPacket.Packet;
  if (!countsFitMessage(buf)) throw new ProtocolFailure(`malformed DNS reply: ${buf.length < 12 ? 'shorter than a header' : 'its counts claim more records than it holds'}`);
  try {
    reply = dnsPacket.decode(buf);
  } catch (err) {
    throw new ProtocolFailure(`malformed DNS reply: ${(err as Error).message}`);
  }
  return reply.id === id && reply.type === 'response' ? reply : undefined;
}

function overUdp(server: HostPort, message: Buffer, id: number, signal: AbortSignal, timer?: PhaseTimer): Promise<dnsPacket.Packet> {
  // Socket setup and connect() count as the connect phase, so phases add up to the total.
  timer?.mark('connect');
  const socket = createSocket(isIPv6(server.host) ? 'udp6' : 'udp4');
  return settleOnce<dnsPacket.Packet>(signal, () => socket.close(), ({ ok, fail }) => {
    socket.on('error', fail);
    socket.on('message', (buf) => {
      try {
        const reply = decodeReply(buf, id);
        if (reply) ok(reply); // a stray datagram with another id is ignored
      } catch (err) {
        fail(err);
      }
    });
    // Connecting the socket makes an ICMP port-unreachable surface as ECONNREFUSED.
    socket.connect(server.port, server.host, () => {
      timer?.mark('firstByte');
      socket.send(message, (err) => err && fail(err));
    });
  });
}

function overTcp(server: HostPort, message: Buffer, id: number, signal: AbortSignal, timer?: PhaseTimer): Promise<dnsPacket.Packet> {
  timer?.mark('connect');
  const socket = netConnect({ host: server.host, port: server.port });
  let buffered = Buffer.alloc(0);
  return settleOnce<dnsPacket.Packet>(signal, () => socket.destroy(), ({ ok, fail }) => {
    socket.on('error', fail);
    socket.on('end', () => fail(new ProtocolFailure('DNS server closed the TCP connection without a reply')));
    socket.on('connect', () => {
      timer?.mark('firstByte');
      const framed = Buffer.alloc(2 + message.length);
      framed.writeUInt16BE(message.length, 0);
      message.copy(framed, 2);
      socket.write(framed);
    });
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        const len = buffered.readUInt16BE(0);
        try {
          const reply = decodeReply(buffered.subarray(2, 2 + len), id);
          if (reply) return ok(reply);
        } catch (err) {
          return fail(err);
        }
        buffered = buffered.subarray(2 + len);
      }
    });
  });
}

/** The data of an answer record as text, for assertions and messages. */
export function answerText(answer: dnsPacket.Answer): string {
  const data = (answer as { data?: unknown }).data;
  switch (answer.type) {
    case 'MX': { const d = data as { preference: number; exchange: string }; return `${d.preference} ${d.exchange}`; }
    case 'SRV': { const d = data as { priority: number; weight: number; port: number; target: string }; return `${d.priority} ${d.weight} ${d.port} ${d.target}`; }
    case 'SOA': { const d = data as { mname: string; rname: string; serial: number }; return `${d.mname} ${d.rname} ${d.serial}`; }
    case 'CAA': { const d = data as { flags: number; tag: string; value: string }; return `${d.flags} ${d.tag} "${d.value}"`; }
    case 'TXT': return (Array.isArray(data) ? data : [data]).map((x) => (Buffer.isBuffer(x) ? x.toString('utf8') : String(x))).join('');
    default: return Buffer.isBuffer(data) ? data.toString('hex') : String(data);
  }
}

/** The reply's rcode as a name ("NOERROR", "NXDOMAIN"…). */
export function rcodeOf(reply: dnsPacket.Packet): string {
  const named = (reply as { rcode?: string }).rcode;
  return named ?? `RCODE${(reply.flags ?? 0) & 0xf}`;
}
