// Fuzz target (Jazzer.js): any bytes as a DNS message, through everything that reads one: the
// question parser, the answer reader, the full parser, and the capture output (JSON and text)
// for the message seen as a query and as a response. Nothing may throw, and what comes out must
// stay within bounds; either is a finding.
import { eventToJson, eventToText } from '../../src/cli/event-json.js';
import { emptyDnsSummary, parseDnsMessage, parseDnsSummaryInto, readAnswerRecords } from '../../src/dns/message.js';
import type { CaptureSummary, DnsPacket } from '../../src/events.js';
import { INVISIBLE } from '../../src/visible-text.js';

const summary: CaptureSummary = { type: 'summary', events: {}, malformed: {}, lost: {}, counters: {} };
const head = emptyDnsSummary();

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(what);
}

export function fuzz(data: Buffer): void {
  if (parseDnsSummaryInto(data, head) === undefined) {
    // A name is at most 255 bytes, each written as at most four characters (\DDD).
    check(head.qname.length <= 255 * 4, `question name of ${head.qname.length} characters`);
    for (const a of readAnswerRecords({ payload: data, offset: head.answersAt, count: head.ancount })) {
      check(a.type === 'A' || a.type === 'AAAA' || a.type === 'CNAME', `answer of type ${a.type}`);
      check(a.name.length <= 255 * 4 && a.data.length <= 255 * 4, 'answer longer than a name');
    }
  }
  parseDnsMessage(data);
  for (const dir of ['query', 'response'] as const) {
    const ev: DnsPacket = { type: 'dns', ts: 1767225600000.5, dir, proto: 'udp', src: '192.0.2.1', sport: 40000, dst: '192.0.2.53', dport: 53, payload: data };
    const json = eventToJson(ev, summary);
    if (!json) continue;
    const line = JSON.stringify(json);
    check(!/[\n\r]/.test(line), 'a line break in the JSON line');
    const text = eventToText(JSON.parse(line) as Record<string, unknown>);
    check(!INVISIBLE.test(text), 'a control or invisible character in the text line');
  }
}
