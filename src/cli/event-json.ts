// Renders capture events as the JSON-lines output contract of `egresswatch capture --json`, and
// as one human-readable line each. DNS payloads are parsed here through src/dns/message.ts.
import type { CaptureEvent, CaptureSummary, DnsPacket } from '../events.js';
import { bump } from '../events.js';
import { emptyDnsSummary, parseDnsMessage, parseDnsSummaryInto, rcodeName, readAnswerRecords, type DnsAnswer } from '../dns/message.js';
import { canonicalIp } from '../external/ip/ip-address.js';
import { visibleText } from '../visible-text.js';

// Events come in time order, many per second: render the date part once per second.
let isoSecond = Number.NaN;
let isoPrefix = '';

function iso(ts: number): string {
  const sec = Math.floor(ts / 1000);
  if (sec !== isoSecond || !(ts >= 0 && ts < 253402300800000)) {
    if (!(ts >= 0 && ts < 253402300800000)) return new Date(ts).toISOString(); // beyond year 9999: the long form
    isoSecond = sec;
    isoPrefix = new Date(sec * 1000).toISOString().slice(0, 20);
  }
  const ms = Math.floor(ts - sec * 1000);
  return isoPrefix + (ms < 10 ? '00' : ms < 100 ? '0' : '') + ms + 'Z';
}

function processFields(ev: { pid?: number; comm?: string; cgroupId?: string }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (ev.pid !== undefined) out.pid = ev.pid;
  if (ev.comm !== undefined) out.comm = ev.comm;
  if (ev.cgroupId !== undefined) out.cgroupId = ev.cgroupId;
  return out;
}

/** AAAA data in its one textual form (RFC 5952), as dns-packet renders it. */
function canonicalAnswer(a: DnsAnswer): DnsAnswer {
  return a.type === 'AAAA' ? { ...a, data: canonicalIp(a.data) } : a;
}

const OPCODES = ['QUERY', 'IQUERY', 'STATUS', 'OPCODE3', 'NOTIFY', 'UPDATE'];

/**
 * A DNS packet's header and question, read on their own so that damage later in the message (a
 * bad EDNS option, a compression loop in an answer) never costs the event; answers as dns-packet
 * renders them, or, when it cannot, the A, AAAA and CNAME records before the damage. Damage is
 * counted in summary.malformed and named in the event ("damaged").
 */
function dnsJson(ev: DnsPacket, summary: CaptureSummary): Record<string, unknown> | undefined {
  if (ev.payload.length < 12) {
    bump(summary.malformed, 'dns_short_header');
    return undefined;
  }
  const head = emptyDnsSummary();
  const questionProblem = parseDnsSummaryInto(ev.payload, head);
  const p = ev.payload;
  const flags = (p[2] << 8) | p[3];
  const out: Record<string, unknown> = {
    type: 'dns', ts: iso(ev.ts), tsMs: ev.ts, dir: ev.dir, proto: ev.proto,
    src: ev.src, sport: ev.sport, dst: ev.dst, dport: ev.dport,
    id: (p[0] << 8) | p[1], opcode: OPCODES[(flags >> 11) & 0xf] ?? `OPCODE${(flags >> 11) & 0xf}`,
    qname: questionProblem === undefined ? head.qname : null, qtype: questionProblem === undefined ? head.qtype : null,
  };
  let damage = questionProblem === undefined ? undefined : `question_${questionProblem}`;
  if (ev.dir === 'response') {
    out.rcode = rcodeName(flags & 0xf);
    out.tc = (flags & 0x0200) !== 0;
    // Nearly every answer is A, AAAA or CNAME: read directly; any other type (or damage) goes
    // through dns-packet, which renders every type.
    const simple = questionProblem === undefined ? readAnswerRecords({ payload: p, offset: head.answersAt, count: head.ancount }) : [];
    if (simple.length === head.ancount && questionProblem === undefined) out.answers = simple.map(canonicalAnswer);
    else {
      const full = damage === undefined ? parseDnsMessage(p) : undefined;
      if (full?.ok) out.answers = full.message.answers;
      else {
        out.answers = simple.map(canonicalAnswer);
        damage ??= `after_question_${full?.reason ?? 'bad_record'}`;
      }
    }
  }
  if (damage !== undefined) {
    out.damaged = damage;
    bump(summary.malformed, `dns_${damage}`);
  }
  if (ev.ifindex !== undefined) out.ifindex = ev.ifindex;
  return Object.assign(out, processFields(ev));
}

/**
 * The JSON object for one event, or undefined when a DNS payload has not even a header (then
 * counted in summary.malformed, so nothing disappears silently).
 */
export function eventToJson(ev: CaptureEvent, summary: CaptureSummary): Record<string, unknown> | undefined {
  switch (ev.type) {
    case 'dns':
      return dnsJson(ev, summary);
    case 'tcp': {
      const { type, ts, pid, comm, cgroupId, ...rest } = ev;
      return { type, ts: iso(ts), tsMs: ts, ...rest, ...processFields({ pid, comm, cgroupId }) };
    }
    case 'drop': {
      const { type, ts, pid, comm, cgroupId, ...rest } = ev;
      return { type, ts: iso(ts), tsMs: ts, ...rest, ...processFields({ pid, comm, cgroupId }) };
    }
    case 'conntrack': {
      const { type, ts, ...rest } = ev;
      return { type, ts: iso(ts), tsMs: ts, ...rest };
    }
    case 'dns_unreachable': {
      const { type, ts, pid, comm, cgroupId, ...rest } = ev;
      return { type, ts: iso(ts), tsMs: ts, ...rest, ...processFields({ pid, comm, cgroupId }) };
    }
  }
}

/** The output line for one event: JSON (the output contract) or text; undefined as eventToJson. */
export function eventLine(ev: CaptureEvent, json: boolean, summary: CaptureSummary): string | undefined {
  const obj = eventToJson(ev, summary);
  if (obj === undefined) return undefined;
  return json ? JSON.stringify(obj) : eventToText(obj);
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
