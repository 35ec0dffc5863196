// Parses a raw DNS message (from any capture source) into the fields egresswatch uses.
// Never throws: malformed input yields a reason that callers count.
import dnsPacket from 'dns-packet';
import { countsFitMessage } from '../dns-counts.js';
import { ipv4Text } from '../ip-text.js';

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
  // Counts that claim more than the message holds: what dns-packet would fail on, found cheaply.
  if (!countsFitMessage(payload)) return { ok: false, reason: 'truncated' };
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

/**
 * The header and first question of a DNS message: what transaction matching and health need,
 * read without decoding the record sections so replay keeps up with a million packets.
 */
export interface DnsQuestionSummary {
  id: number;
  qr: boolean;
  opcode: number;
  rcode: string;
  tc: boolean;
  ancount: number;
  /** Lower-cased, without the trailing dot; bytes outside printable ASCII as \DDD (as dig prints). */
  qname: string;
  qtype: string;
  /** Offset of the answer section (just after the first question), for readAnswerRecords. */
  answersAt: number;
}

export type DnsSummaryResult = { ok: true; summary: DnsQuestionSummary } | { ok: false; reason: string };

const RCODE_NAMES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE'];
const QTYPE_NAMES: Record<number, string> = {
  1: 'A', 2: 'NS', 5: 'CNAME', 6: 'SOA', 12: 'PTR', 13: 'HINFO', 15: 'MX', 16: 'TXT', 28: 'AAAA', 33: 'SRV', 35: 'NAPTR',
  43: 'DS', 46: 'RRSIG', 48: 'DNSKEY', 64: 'SVCB', 65: 'HTTPS', 252: 'AXFR', 255: 'ANY', 257: 'CAA',
};
const MAX_NAME = 255;

export function rcodeName(code: number): string {
  return RCODE_NAMES[code] ?? `RCODE${code}`;
}

export function qtypeName(code: number): string {
  return QTYPE_NAMES[code] ?? `TYPE${code}`;
}

/**
 * Names are written byte by byte into this scratch buffer and turned into a string once:
 * concatenating per character or per label costs more than the rest of the analysis. Room for
 * 255 bytes each escaped as \\DDD.
 */
const scratch = Buffer.alloc(1100);

/**
 * Recently read names, direct-mapped by a hash of their text: a node asks for the same few
 * thousand names over and over, so most names are found here instead of being built again, and
 * the one string per name has its hash cached by V8 for every later map lookup. Bounded: a
 * flood of random names only replaces entries.
 */
const NAME_SLOTS = 1 << 14;
const nameText: string[] = new Array<string>(NAME_SLOTS).fill('');
const nameHash = new Int32Array(NAME_SLOTS);

/** Set by readName: the offset after the name, or why it could not be read. */
let nameEnd = 0;
let nameError = '';

function internName(n: number, h: number): string {
  const slot = h & (NAME_SLOTS - 1);
  const known = nameText[slot];
  if (nameHash[slot] === h && known.length === n) {
    let i = 0;
    while (i < n && known.charCodeAt(i) === scratch[i]) i++;
    if (i === n) return known;
  }
  const name = scratch.toString('latin1', 0, n);
  nameText[slot] = name;
  nameHash[slot] = h;
  return name;
}

/**
 * Reads a (possibly compressed) name at `start`: its text, with nameEnd set to the offset after
 * it; or undefined with nameError set (no result object per name: this runs for every packet).
 */
function readName(p: Uint8Array, start: number): string | undefined {
  let n = 0;
  let h = 0x811c9dc5 | 0;
  let pos = start;
  let end = -1;
  let jumps = 0;
  let wire = 0;
  for (;;) {
    if (pos >= p.length) return fail('truncated');
    const len = p[pos];
    if (len === 0) {
      nameEnd = end < 0 ? pos + 1 : end;
      return internName(n, h);
    }
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      if (pos + 1 >= p.length) return fail('truncated');
      const target = ((len & 0x3f) << 8) | p[pos + 1];
      // Pointers must go backwards: forward or self pointers are how loops are built.
      if (target >= pos || ++jumps > 32) return fail('pointer_loop');
      if (end < 0) end = pos + 2;
      pos = target;
      continue;
    }
    if (kind !== 0) return fail('bad_label');
    wire += len + 1;
    if (wire > MAX_NAME) return fail('name_too_long');
    if (pos + 1 + len > p.length) return fail('truncated');
    if (n) {
      scratch[n++] = 0x2e;
      h = Math.imul(h ^ 0x2e, 0x01000193);
    }
    for (let i = pos + 1; i <= pos + len; i++) {
      let c = p[i];
      if (c >= 0x41 && c <= 0x5a) c += 0x20;
      h = Math.imul(h ^ c, 0x01000193);
      if (c > 0x20 && c < 0x7f && c !== 0x2e && c !== 0x5c) scratch[n++] = c;
      else {
        // Dig's escape: a backslash and three decimal digits.
        scratch[n++] = 0x5c;
        scratch[n++] = 0x30 + Math.floor(c / 100);
        scratch[n++] = 0x30 + (Math.floor(c / 10) % 10);
        scratch[n++] = 0x30 + (c % 10);
      }
    }
    pos += len + 1;
  }
}

function fail(reason: string): undefined {
  nameError = reason;
  return undefined;
}

/** An empty summary to be filled by parseDnsSummaryInto. */
export function emptyDnsSummary(): DnsQuestionSummary {
  return { id: 0, qr: false, opcode: 0, rcode: 'NOERROR', tc: false, ancount: 0, qname: '', qtype: '', answersAt: 0 };
}

/**
 * Parses the header and first question into `out` (reused by the caller: two objects fewer per
 * packet on the replay path); returns undefined, or the reason when the message is malformed.
 */
export function parseDnsSummaryInto(p: Uint8Array, out: DnsQuestionSummary): string | undefined {
  if (p.length < HEADER_LEN) return 'short_header';
  const qdcount = (p[4] << 8) | p[5];
  if (qdcount === 0) return 'no_question';
  const qname = readName(p, HEADER_LEN);
  if (qname === undefined) return nameError;
  const end = nameEnd;
  if (end + 4 > p.length) return 'truncated';
  const flags = (p[2] << 8) | p[3];
  out.id = (p[0] << 8) | p[1];
  out.qr = (flags & 0x8000) !== 0;
  out.opcode = (flags >> 11) & 0xf;
  out.rcode = rcodeName(flags & 0xf);
  out.tc = (flags & 0x0200) !== 0;
  out.ancount = (p[6] << 8) | p[7];
  out.qname = qname;
  out.qtype = qtypeName((p[end] << 8) | p[end + 1]);
  // Only the first question is read: with more (never seen from stub resolvers) answers are not located.
  out.answersAt = qdcount === 1 ? end + 4 : -1;
  return undefined;
}

/** Parses the header and first question; never throws, the reason names what was wrong. */
export function parseDnsSummary(p: Uint8Array): DnsSummaryResult {
  const summary = emptyDnsSummary();
  const reason = parseDnsSummaryInto(p, summary);
  return reason === undefined ? { ok: true, summary } : { ok: false, reason };
}

/**
 * Where a response's answer records are, as its question parse found them: read on demand by
 * those who need the answers (passive DNS), so each message is parsed once. Valid only while the
 * payload is (sources reuse their buffers).
 */
export interface AnswerSection {
  payload: Uint8Array;
  /** Offset of the first answer record; -1 when unknown. */
  offset: number;
  count: number;
  /** The question's name as read (lower-cased), when known: most answers point to it. */
  question?: string;
}

/**
 * The A, AAAA and CNAME records of an answer section (names lower-cased without the trailing dot,
 * as question names are); other types are skipped. Reading stops quietly at the first damaged
 * record: what came before it is still good.
 */
export function readAnswerRecords(section: AnswerSection): DnsAnswer[] {
  const p = section.payload;
  const out: DnsAnswer[] = [];
  let pos = section.offset;
  if (pos < 0) return out;
  for (let i = 0; i < section.count; i++) {
    let name: string | undefined;
    // A pointer to the question's name (offset 12): the name is known, not read again.
    if (p[pos] === 0xc0 && p[pos + 1] === HEADER_LEN && section.question !== undefined) {
      name = section.question;
      pos += 2;
    } else {
      name = readName(p, pos);
      if (name === undefined) break;
      pos = nameEnd;
    }
    if (pos + 10 > p.length) break;
    const type = (p[pos] << 8) | p[pos + 1];
    const ttl = ((p[pos + 4] << 24) | (p[pos + 5] << 16) | (p[pos + 6] << 8) | p[pos + 7]) >>> 0;
    const length = (p[pos + 8] << 8) | p[pos + 9];
    const data = pos + 10;
    pos = data + length;
    if (pos > p.length) break;
    if (type === 1 && length === 4) out.push({ name, type: 'A', ttl, data: ipv4Text(p, data) });
    else if (type === 28 && length === 16) out.push({ name, type: 'AAAA', ttl, data: ipv6Groups(p, data) });
    else if (type === 5) {
      const target = readName(p, data);
      if (target === undefined) break;
      out.push({ name, type: 'CNAME', ttl, data: target });
    }
  }
  return out;
}

/** Eight colon-separated hex groups (not compressed: consumers canonicalise addresses). */
function ipv6Groups(p: Uint8Array, at: number): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((p[at + i] << 8) | p[at + i + 1]).toString(16));
  return groups.join(':');
}
