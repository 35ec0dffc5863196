// Renders capture events as the JSON-lines output contract of `egresswatch capture --json`, and
// as one human-readable line each. DNS payloads are parsed here through src/dns/message.ts; a DNS
// event's JSON line is written straight into the output's bytes (json-line-writer.ts), and its
// object (for the text line) is built by the same calls, so the two cannot disagree.
import type { CaptureEvent, CaptureSummary, DnsPacket } from '../events.js';
import { bump } from '../events.js';
import { emptyDnsSummary, parseDnsMessage, parseDnsSummaryInto, rcodeName, readAnswerRecords, type DnsAnswer } from '../dns/message.js';
import { canonicalIp } from '../external/ip/ip-address.js';
import { visibleText } from '../visible-text.js';
import { constantsThenKey, isoText, JsonLineWriter, JsonObjectBuilder, jsonKey, type JsonFieldWriter } from './json-line-writer.js';
import type { LineBuffer } from './line-buffer.js';

function processFields(ev: { pid?: number; comm?: string; cgroupId?: string }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (ev.pid !== undefined) out.pid = ev.pid;
  if (ev.comm !== undefined) out.comm = ev.comm;
  if (ev.cgroupId !== undefined) out.cgroupId = ev.cgroupId;
  return out;
}

const OPCODES = ['QUERY', 'IQUERY', 'STATUS', 'OPCODE3', 'NOTIFY', 'UPDATE'];

const K = {
  tsMs: jsonKey('tsMs'), sport: jsonKey('sport'), dst: jsonKey('dst'), dport: jsonKey('dport'), id: jsonKey('id'),
  qtype: jsonKey('qtype'), damaged: jsonKey('damaged'), ifindex: jsonKey('ifindex'),
  pid: jsonKey('pid'), comm: jsonKey('comm'), cgroupId: jsonKey('cgroupId'),
  name: jsonKey('name'), type: jsonKey('type'), ttl: jsonKey('ttl'), data: jsonKey('data'),
};

// A DNS line's fixed parts, each with the key after it, encoded once.
const DNS_TS = constantsThenKey({ type: 'dns' }, 'ts');
const DIR_PROTO_SRC = {
  query: { udp: constantsThenKey({ dir: 'query', proto: 'udp' }, 'src'), tcp: constantsThenKey({ dir: 'query', proto: 'tcp' }, 'src') },
  response: { udp: constantsThenKey({ dir: 'response', proto: 'udp' }, 'src'), tcp: constantsThenKey({ dir: 'response', proto: 'tcp' }, 'src') },
};
const opcodeName = (code: number) => OPCODES[code] ?? `OPCODE${code}`;
const OPCODE_QNAME = Array.from({ length: 16 }, (_, code) => constantsThenKey({ opcode: opcodeName(code) }, 'qname'));
/** By rcode * 2 + TC bit. */
const RCODE_TC_ANSWERS = Array.from({ length: 32 }, (_, i) => constantsThenKey({ rcode: rcodeName(i >> 1), tc: (i & 1) === 1 }, 'answers'));

/**
 * A DNS packet's header and question, read on their own so that damage later in the message (a
 * bad EDNS option, a compression loop in an answer) never costs the event; answers as dns-packet
 * renders them, or, when it cannot, the A, AAAA and CNAME records before the damage. Damage is
 * counted in summary.malformed and named in the event ("damaged"). False when the payload has
 * not even a header (then nothing was written).
 */
function writeDnsLine(ev: DnsPacket, summary: CaptureSummary, w: JsonFieldWriter): boolean {
  if (ev.payload.length < 12) {
    bump(summary.malformed, 'dns_short_header');
    return false;
  }
  const head = dnsHead;
  const questionProblem = parseDnsSummaryInto(ev.payload, head);
  const p = ev.payload;
  const flags = (p[2] << 8) | p[3];
  w.key(DNS_TS);
  w.isoTime(ev.ts);
  w.numberField(K.tsMs, ev.ts);
  w.stringField(DIR_PROTO_SRC[ev.dir][ev.proto], ev.src);
  w.numberField(K.sport, ev.sport);
  w.stringField(K.dst, ev.dst);
  w.numberField(K.dport, ev.dport);
  w.key(K.id);
  w.uint((p[0] << 8) | p[1]);
  w.stringField(OPCODE_QNAME[(flags >> 11) & 0xf], questionProblem === undefined ? head.qname : null);
  w.stringField(K.qtype, questionProblem === undefined ? head.qtype : null);
  let damage = questionProblem === undefined ? undefined : `question_${questionProblem}`;
  if (ev.dir === 'response') {
    w.key(RCODE_TC_ANSWERS[((flags & 0xf) << 1) | ((flags >> 9) & 1)]);
    // Nearly every answer is A, AAAA or CNAME: read directly; any other type (or damage) goes
    // through dns-packet, which renders every type.
    const simple = questionProblem === undefined ? readAnswerRecords({ payload: p, offset: head.answersAt, count: head.ancount, question: head.qname }) : [];
    if (simple.length === head.ancount && questionProblem === undefined) writeAnswers(w, simple, true);
    else {
      const full = damage === undefined ? parseDnsMessage(p) : undefined;
      if (full?.ok) writeAnswers(w, full.message.answers, false);
      else {
        writeAnswers(w, simple, true);
        damage ??= `after_question_${full?.reason ?? 'bad_record'}`;
      }
    }
  }
  if (damage !== undefined) {
    w.stringField(K.damaged, damage);
    bump(summary.malformed, `dns_${damage}`);
  }
  if (ev.ifindex !== undefined) w.numberField(K.ifindex, ev.ifindex);
  if (ev.pid !== undefined) w.numberField(K.pid, ev.pid);
  if (ev.comm !== undefined) w.stringField(K.comm, ev.comm);
  if (ev.cgroupId !== undefined) w.stringField(K.cgroupId, ev.cgroupId);
  return true;
}

/**
 * The answers array: objects of name, type, ttl and data; AAAA data of the direct reader (eight
 * groups) in its one textual form (RFC 5952), as dns-packet renders it.
 */
function writeAnswers(w: JsonFieldWriter, answers: readonly DnsAnswer[], canonical: boolean): void {
  w.openArray();
  for (const a of answers) {
    w.openObject();
    w.stringField(K.name, a.name);
    w.stringField(K.type, a.type);
    w.numberField(K.ttl, a.ttl);
    w.stringField(K.data, canonical && a.type === 'AAAA' ? canonicalIp(a.data) : a.data);
    w.closeObject();
  }
  w.closeArray();
}

/** The question parse's result, reused: one object fewer per packet. */
const dnsHead = emptyDnsSummary();

/**
 * The JSON object for one event, or undefined when a DNS payload has not even a header (then
 * counted in summary.malformed, so nothing disappears silently).
 */
export function eventToJson(ev: CaptureEvent, summary: CaptureSummary): Record<string, unknown> | undefined {
  switch (ev.type) {
    case 'dns': {
      // The same fields, in the same calls, as the JSON line.
      objectBuilder.begin();
      return writeDnsLine(ev, summary, objectBuilder) ? objectBuilder.result : undefined;
    }
    case 'tcp': {
      const { type, ts, pid, comm, cgroupId, ...rest } = ev;
      return { type, ts: isoText(ts), tsMs: ts, ...rest, ...processFields({ pid, comm, cgroupId }) };
    }
    case 'drop': {
      const { type, ts, pid, comm, cgroupId, ...rest } = ev;
      return { type, ts: isoText(ts), tsMs: ts, ...rest, ...processFields({ pid, comm, cgroupId }) };
    }
    case 'conntrack': {
      const { type, ts, ...rest } = ev;
      return { type, ts: isoText(ts), tsMs: ts, ...rest };
    }
    case 'dns_unreachable': {
      const { type, ts, pid, comm, cgroupId, ...rest } = ev;
      return { type, ts: isoText(ts), tsMs: ts, ...rest, ...processFields({ pid, comm, cgroupId }) };
    }
  }
}

const lineWriter = new JsonLineWriter();
const objectBuilder = new JsonObjectBuilder();

/**
 * Adds the output line for one event to `lines`: JSON (the output contract) or text; nothing
 * when eventToJson gives nothing. A DNS event's JSON line is written straight into bytes.
 */
export function writeEventLine(ev: CaptureEvent, json: boolean, summary: CaptureSummary, lines: LineBuffer): void {
  if (json && ev.type === 'dns') {
    lineWriter.openLine(lines);
    if (writeDnsLine(ev, summary, lineWriter)) lineWriter.closeLine();
    return;
  }
  const obj = eventToJson(ev, summary);
  if (obj !== undefined) lines.addLine(json ? JSON.stringify(obj) : eventToText(obj));
}

function hostPort(addr: string, port: number): string {
  return addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
}

function who(o: Record<string, unknown>): string {
  return o.pid !== undefined ? ` ${quoted(String(o.comm ?? '?'))}[${o.pid}]` : '';
}

/** A string from the network or a process, quoted, every control or invisible character escaped. */
function quoted(v: unknown): string {
  return visibleText(JSON.stringify(v));
}

/** One line for people; strings from the network are quoted so control bytes stay visible. */
export function eventToText(o: Record<string, unknown>): string {
  const ts = String(o.ts).slice(11, 23);
  const flow = `${hostPort(String(o.src), Number(o.sport))} > ${hostPort(String(o.dst), Number(o.dport))}`;
  switch (o.type) {
    case 'dns': {
      const q = `${o.qtype} ${quoted(o.qname)}`;
      if (o.dir === 'query') return `${ts} dns  query    ${o.proto} ${flow} id=${o.id} ${q}${who(o)}`;
      const answers = (o.answers as { type: string; data: string }[]).map((a) => `${a.type} ${quoted(a.data)}`).join(', ');
      return `${ts} dns  response ${o.proto} ${flow} id=${o.id} ${q} ${o.rcode}${answers ? ` [${answers}]` : ''}${who(o)}`;
    }
    case 'tcp': {
      const extra = o.event === 'established' ? ` ${Number(o.latencyMs).toFixed(3)}ms` : o.reason ? ` (${o.reason})` : o.syn ? ' (SYN)' : '';
      return `${ts} tcp  ${String(o.event).padEnd(11)} ${flow}${extra}${who(o)}`;
    }
    case 'drop':
      return `${ts} drop ${o.reason} ${o.proto} ${flow}${who(o)}`;
    case 'dns_unreachable':
      return `${ts} dns  unreachable ${o.proto} ${flow} (${o.reason})${who(o)}`;
    case 'conntrack':
      return `${ts} conntrack insert_failed=${o.insertFailed} drop=${o.drop} clash_resolve=${o.clashResolve}`;
    default:
      return quoted(o);
  }
}
