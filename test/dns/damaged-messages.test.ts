// DNS messages that are not plain queries, or are damaged after their question: the header and
// question still make an event (with the opcode, and the damage named and counted), answers before
// the damage are kept, and a response whose own question is damaged still ends its lookup rather
// than leaving it to count as a timeout.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import dnsPacket from 'dns-packet';
import { eventToJson } from '../../src/cli/event-json.js';
import { createDnsAnalyzer } from '../../src/dns/dns-analyzer.js';
import { parseDnsMessage } from '../../src/dns/message.js';
import type { CaptureSummary, DnsPacket } from '../../src/events.js';
import { query } from './dns-events.js';

const T0 = Date.UTC(2026, 0, 1);
const flow = { client: '10.203.0.2', port: 40000, server: '10.203.0.10' };

function packet(dir: 'query' | 'response', payload: Uint8Array, ts = T0): DnsPacket {
  return dir === 'query'
    ? { type: 'dns', ts, dir, proto: 'udp', src: flow.client, sport: flow.port, dst: flow.server, dport: 53, payload }
    : { type: 'dns', ts, dir, proto: 'udp', src: flow.server, sport: 53, dst: flow.client, dport: flow.port, payload };
}

const summary = (): CaptureSummary => ({ events: {}, malformed: {}, lost: {}, counters: {} }) as unknown as CaptureSummary;

/** A good response to "api.example.com A" with one answer, then `tail` appended as an extra record section. */
function responseWith(tail: number[], arcount = 0): Buffer {
  const good = dnsPacket.encode({ type: 'response', id: 7, flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE, questions: [{ type: 'A', name: 'api.example.com', class: 'IN' }], answers: [{ type: 'A', name: 'api.example.com', ttl: 60, data: '192.0.2.7' }] });
  const out = Buffer.concat([good, Buffer.from(tail)]);
  out.writeUInt16BE(arcount, 10);
  return out;
}

test('a dynamic UPDATE message is an event with its opcode and zone', () => {
  const update = dnsPacket.encode({ type: 'query', id: 9, flags: 5 << 11, questions: [{ type: 'SOA', name: 'example.com', class: 'IN' }] });
  const s = summary();
  const out = eventToJson(packet('query', update), s);
  assert.equal(out?.opcode, 'UPDATE');
  assert.equal(out?.qname, 'example.com');
  assert.equal(out?.qtype, 'SOA');
  assert.deepEqual(s.malformed, {});
});

test('a response with a bad EDNS client-subnet option keeps its header, question and answers', () => {
  // OPT record: root name, type 41, class 4096, ttl 0, rdlength 7: option 8 (ECS) of 3 bytes, too
  // short for its own fixed part (family, source and scope prefix lengths). dns-packet throws on it.
  const s = summary();
  const bytes = responseWith([0, 0, 41, 0x10, 0, 0, 0, 0, 0, 0, 7, 0, 8, 0, 3, 0, 1, 24], 1);
  assert.throws(() => dnsPacket.decode(bytes));
  const out = eventToJson(packet('response', bytes), s);
  assert.equal(out?.qname, 'api.example.com');
  assert.equal(out?.rcode, 'NOERROR');
  assert.deepEqual(out?.answers, [{ name: 'api.example.com', type: 'A', ttl: 60, data: '192.0.2.7' }]);
  // The additional section is not read at all when the answers are plain: nothing was lost.
  assert.equal(out?.damaged, undefined);
  assert.deepEqual(s.malformed, {});
});

test('a compression loop in an answer keeps the answers before it; one in the question keeps the header', () => {
  // A second answer whose name points at itself.
  const loopAt = responseWith([]).length;
  const s = summary();
  const looped = responseWith([0xc0 | (loopAt >> 8), loopAt & 0xff, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 8]);
  looped.writeUInt16BE(2, 6);
  const a = eventToJson(packet('response', looped), s);
  assert.deepEqual(a?.answers, [{ name: 'api.example.com', type: 'A', ttl: 60, data: '192.0.2.7' }]);
  assert.match(String(a?.damaged), /^after_question_/);
  // The question's name is a pointer to itself.
  const q = Buffer.from([0, 7, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1]);
  const b = eventToJson(packet('response', q), s);
  assert.equal(b?.id, 7);
  assert.equal(b?.qname, null);
  assert.equal(b?.damaged, 'question_pointer_loop');
  assert.equal(s.malformed.dns_question_pointer_loop, 1);
});

test('counts that claim more records than the message holds: the answers read are kept, the rest named truncated', () => {
  // dns-packet allocates an array per count before reading: 65,535 of each is refused before it.
  const s = summary();
  const bytes = responseWith([]);
  for (const at of [6, 8, 10]) bytes.writeUInt16BE(0xffff, at);
  assert.deepEqual(parseDnsMessage(bytes), { ok: false, reason: 'truncated' });
  const out = eventToJson(packet('response', bytes), s);
  assert.equal(out?.qname, 'api.example.com');
  assert.deepEqual(out?.answers, [{ name: 'api.example.com', type: 'A', ttl: 60, data: '192.0.2.7' }]);
  assert.equal(out?.damaged, 'after_question_truncated');
  assert.equal(s.malformed.dns_after_question_truncated, 1);
  // A header alone claiming questions is refused the same way.
  const header = Buffer.from([0, 1, 0x81, 0x80, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
  assert.deepEqual(parseDnsMessage(header), { ok: false, reason: 'truncated' });
});

test('analysis: a response whose question is damaged still answers its query: no false timeout', () => {
  const a = createDnsAnalyzer({ horizonMs: Infinity });
  const damaged = Buffer.from([0, 7, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1]);
  a.ingest([query(flow, T0, 7, 'api.example.com'), packet('response', damaged, T0 + 3)]);
  a.advance(T0 + 60_000);
  const snap = a.snapshot();
  const r = snap.resolvers.find((x) => x.server === flow.server);
  assert.equal(r?.timeouts, 0);
  assert.equal(r?.answered, 1);
  assert.equal(snap.malformed.pointer_loop, 1, 'the damage is still counted');
  // The same damage with no query open for it is only counted.
  const b = createDnsAnalyzer({ horizonMs: Infinity });
  b.ingest([packet('response', damaged, T0)]);
  assert.equal(b.snapshot().resolvers.find((x) => x.server === flow.server)?.answered ?? 0, 0);
});
