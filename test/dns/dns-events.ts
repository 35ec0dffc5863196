// Builds DnsPacket events with real DNS payloads (dns-packet encode) for the analysis tests.
import dnsPacket from 'dns-packet';
import type { DnsPacket } from '../../src/events.js';

export interface Flow {
  client: string;
  port: number;
  server: string;
  proto?: 'udp' | 'tcp';
  pid?: number;
  comm?: string;
}

export function query(flow: Flow, ts: number, id: number, name: string, type: 'A' | 'AAAA' | 'TXT' = 'A'): DnsPacket {
  const payload = dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name, class: 'IN' }] });
  const pkt: DnsPacket = { type: 'dns', ts, dir: 'query', proto: flow.proto ?? 'udp', src: flow.client, sport: flow.port, dst: flow.server, dport: 53, payload };
  if (flow.pid !== undefined) pkt.pid = flow.pid;
  if (flow.comm !== undefined) pkt.comm = flow.comm;
  return pkt;
}

export function response(
  flow: Flow, ts: number, id: number, name: string, type: 'A' | 'AAAA' | 'TXT' = 'A',
  opts: { rcode?: string; tc?: boolean; answers?: number } = {},
): DnsPacket {
  const rcode = opts.rcode ?? 'NOERROR';
  const count = opts.answers ?? (rcode === 'NOERROR' ? 1 : 0);
  const answers = Array.from({ length: count }, (_, i) =>
    type === 'AAAA' ? { type: 'AAAA' as const, name, ttl: 30, data: `2001:db8::${i + 1}` }
      : type === 'TXT' ? { type: 'TXT' as const, name, ttl: 30, data: 'x' }
        : { type: 'A' as const, name, ttl: 30, data: `192.0.2.${i + 1}` });
  const rcodeBits = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'].indexOf(rcode);
  const flags = 0x8000 | dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (opts.tc ? dnsPacket.TRUNCATED_RESPONSE : 0) | rcodeBits;
  const payload = dnsPacket.encode({ type: 'response', id, flags, questions: [{ type, name, class: 'IN' }], answers });
  return { type: 'dns', ts, dir: 'response', proto: flow.proto ?? 'udp', src: flow.server, sport: 53, dst: flow.client, dport: flow.port, payload };
}
