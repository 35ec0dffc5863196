// Parses a raw DNS message (from any capture source) into the fields egresswatch uses.
// Never throws: malformed input yields a reason that callers count.
import dnsPacket from 'dns-packet';

export interface DnsAnswer {
  name: string;
  type: string;
  ttl: number;
  /** Record data rendered as text (address, target name, "pref exchange", TXT joined…). */
  data: string;
}

export interface DnsMessage {
  id: number;
  /** true for a response (QR bit set). */
  qr: boolean;
  opcode: string;
  rcode: string;
  /** Truncated (TC bit): the client should retry over TCP. */
  tc: boolean;
  rd: boolean;
  ra: boolean;
  aa: boolean;
  /** First question; empty strings when the message has none. */
  qname: string;
  qtype: string;
  qclass: string;
  answers: DnsAnswer[];
}

export type DnsParseResult = { ok: true; message: DnsMessage } | { ok: false; reason: string };

const HEADER_LEN = 12;

/** Cheap QR-bit read used by sources to set DnsPacket.dir without a full parse. */
export function isResponse(payload: Uint8Array): boolean {
  return payload.length > 2 && (payload[2] & 0x80) !== 0;
}

function renderData(type: string, data: unknown): string {
  if (data === null || data === undefined) return '';
  if (typeof data === 'string') return data;
  if (Buffer.isBuffer(data)) return data.toString('hex');
  if (Array.isArray(data)) return data.map((d) => (Buffer.isBuffer(d) ? d.toString('utf8') : String(d))).join(' ');
  if (typeof data === 'object') {
    const d = data as Record<string, unknown>;
    switch (type) {
      case 'MX': return `${d.preference} ${d.exchange}`;
      case 'SRV': return `${d.priority} ${d.weight} ${d.port} ${d.target}`;
      case 'SOA': return `${d.mname} ${d.rname} ${d.serial} ${d.refresh} ${d.retry} ${d.expire} ${d.minimum}`;
      case 'CAA': return `${d.flags} ${d.tag} ${d.value}`;
      default: return JSON.stringify(d, (_k, v) => (v && v.type === 'Buffer' ? Buffer.from(v.data).toString('hex') : v));
    }
  }
  return String(data);
}

/** Parses one DNS message; the reason names what was wrong when it cannot. */
export function parseDnsMessage(payload: Uint8Array): DnsParseResult {
  if (payload.length < HEADER_LEN) return { ok: false, reason: 'short_header' };
  let decoded: dnsPacket.Packet;
  try {
    const buf = Buffer.isBuffer(payload) ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
    decoded = dnsPacket.decode(buf);
  } catch (err) {
    return { ok: false, reason: err instanceof RangeError ? 'truncated' : 'bad_record' };
  }
  const q = decoded.questions?.[0];
  const answers: DnsAnswer[] = [];
  for (const a of decoded.answers ?? []) {
    const rec = a as { name: string; type: string; ttl?: number; data?: unknown };
    answers.push({ name: rec.name, type: rec.type, ttl: rec.ttl ?? 0, data: renderData(rec.type, rec.data) });
  }
  const d = decoded as dnsPacket.Packet & { opcode?: string; rcode?: string; flag_tc?: boolean; flag_rd?: boolean; flag_ra?: boolean; flag_aa?: boolean };
  return {
    ok: true,
    message: {
      id: decoded.id ?? 0,
      qr: decoded.type === 'response',
      opcode: d.opcode ?? 'QUERY',
      rcode: d.rcode ?? 'NOERROR',
      tc: d.flag_tc ?? false,
      rd: d.flag_rd ?? false,
      ra: d.flag_ra ?? false,
      aa: d.flag_aa ?? false,
      qname: q?.name ?? '',
      qtype: q?.type ?? '',
      qclass: q?.class ?? '',
      answers,
    },
  };
}
