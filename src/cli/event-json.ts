// Renders capture events as the JSON-lines output contract of `egresswatch capture --json`, and
// as one human-readable line each. DNS payloads are parsed here through src/dns/message.ts.
import type { CaptureEvent, CaptureSummary, DnsPacket } from '../events.js';
import { bump } from '../events.js';
import { parseDnsMessage } from '../dns/message.js';

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

function dnsJson(ev: DnsPacket, summary: CaptureSummary): Record<string, unknown> | undefined {
  const parsed = parseDnsMessage(ev.payload);
  if (!parsed.ok) {
    bump(summary.malformed, `dns_${parsed.reason}`);
    return undefined;
  }
  const m = parsed.message;
  const out: Record<string, unknown> = {
    type: 'dns', ts: iso(ev.ts), tsMs: ev.ts, dir: ev.dir, proto: ev.proto,
    src: ev.src, sport: ev.sport, dst: ev.dst, dport: ev.dport,
    id: m.id, qname: m.qname, qtype: m.qtype,
  };
  if (ev.dir === 'response') {
    out.rcode = m.rcode;
    out.tc = m.tc;
    out.answers = m.answers;
  }
  if (ev.ifindex !== undefined) out.ifindex = ev.ifindex;
  return Object.assign(out, processFields(ev));
}

/**
 * The JSON object for one event, or undefined when a DNS payload is malformed (then counted in
 * summary.malformed, so nothing disappears silently).
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
  }
}

function hostPort(addr: string, port: number): string {
  return addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
}

function who(o: Record<string, unknown>): string {
  return o.pid !== undefined ? ` ${JSON.stringify(String(o.comm ?? '?'))}[${o.pid}]` : '';
}

/** One line for people; strings from the network are JSON-quoted so control bytes stay visible. */
export function eventToText(o: Record<string, unknown>): string {
  const ts = String(o.ts).slice(11, 23);
  const flow = `${hostPort(String(o.src), Number(o.sport))} > ${hostPort(String(o.dst), Number(o.dport))}`;
  switch (o.type) {
    case 'dns': {
      const q = `${o.qtype} ${JSON.stringify(o.qname)}`;
      if (o.dir === 'query') return `${ts} dns  query    ${o.proto} ${flow} id=${o.id} ${q}${who(o)}`;
      const answers = (o.answers as { type: string; data: string }[]).map((a) => `${a.type} ${JSON.stringify(a.data)}`).join(', ');
      return `${ts} dns  response ${o.proto} ${flow} id=${o.id} ${q} ${o.rcode}${answers ? ` [${answers}]` : ''}${who(o)}`;
    }
    case 'tcp': {
      const extra = o.event === 'established' ? ` ${Number(o.latencyMs).toFixed(3)}ms` : o.reason ? ` (${o.reason})` : o.syn ? ' (SYN)' : '';
      return `${ts} tcp  ${String(o.event).padEnd(11)} ${flow}${extra}${who(o)}`;
    }
    case 'drop':
      return `${ts} drop ${o.reason} ${o.proto} ${flow}${who(o)}`;
    case 'conntrack':
      return `${ts} conntrack insert_failed=${o.insertFailed} drop=${o.drop} clash_resolve=${o.clashResolve}`;
    default:
      return JSON.stringify(o);
  }
}
