// Properties of the DNS decoder (fast-check): on any bytes, and on real messages with bytes flipped
// or cut, the question parser, the answer reader, the full parser and the capture JSON never throw;
// what they return is bounded; and a well-formed message is read back exactly.
// Generated from a fixed seed: every run checks the same cases (change the seed to explore more).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import dnsPacket from 'dns-packet';
import fc from 'fast-check';
import { eventToJson, writeEventLine } from '../../src/cli/event-json.js';
import { LineBuffer } from '../../src/cli/line-buffer.js';
import { emptyDnsSummary, parseDnsMessage, parseDnsSummaryInto, readAnswerRecords } from '../../src/dns/message.js';
import type { CaptureSummary, DnsPacket } from '../../src/events.js';

const RUNS = 2_000;

/** A DNS label: 1 to 63 bytes of letters, digits and hyphens. */
const label = fc.stringMatching(/^[a-z0-9-]{1,20}$/);
const name = fc.array(label, { minLength: 1, maxLength: 5 }).map((l) => l.join('.'));

/** A well-formed response with A, AAAA and CNAME answers. */
const response = fc.record({
  id: fc.integer({ min: 0, max: 0xffff }),
  qname: name,
  answers: fc.array(fc.oneof(
    fc.record({ type: fc.constant('A' as const), name, data: fc.ipV4() }),
    fc.record({ type: fc.constant('CNAME' as const), name, data: name }),
  ), { maxLength: 6 }),
}).map((r) => ({ ...r, bytes: dnsPacket.encode({ type: 'response', id: r.id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name: r.qname }], answers: r.answers.map((a) => ({ ...a, ttl: 60 })) }) }));

/** A message damaged: some bytes replaced, then maybe cut short. */
const damaged = fc.tuple(response, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }), fc.option(fc.nat())).map(([r, flips, cut]) => {
  const b = Buffer.from(r.bytes);
  for (const [at, v] of flips) b[at % b.length] = v;
  return cut === null ? b : b.subarray(0, cut % (b.length + 1));
});

const anyBytes = fc.uint8Array({ maxLength: 600 });

function packet(payload: Uint8Array): DnsPacket {
  return { type: 'dns', ts: 0, dir: (payload[2] ?? 0) & 0x80 ? 'response' : 'query', proto: 'udp', src: '192.0.2.1', sport: 53, dst: '192.0.2.2', dport: 40000, payload };
}

function decodeEverything(bytes: Uint8Array): void {
  const s = emptyDnsSummary();
  const reason = parseDnsSummaryInto(bytes, s);
  if (reason === undefined) {
    assert.ok(s.qname.length <= 255 * 4, 'a name is at most 255 bytes, each written as at most 4 characters');
    for (const a of readAnswerRecords({ payload: bytes, offset: s.answersAt, count: s.ancount })) {
      assert.ok(['A', 'AAAA', 'CNAME'].includes(a.type));
      assert.ok(a.name.length <= 255 * 4);
    }
  } else assert.equal(typeof reason, 'string');
  parseDnsMessage(bytes);
  const summary = { events: {}, malformed: {}, lost: {}, counters: {} } as unknown as CaptureSummary;
  const json = eventToJson(packet(bytes), summary);
  // Whatever came out is JSON-safe and says what was damaged.
  if (json) JSON.parse(JSON.stringify(json));
  // The line `capture --json` prints: one line, exactly what JSON.stringify makes of its object.
  const lines = new LineBuffer();
  writeEventLine(packet(bytes), true, summary, lines);
  const text = Buffer.concat(lines.take()).toString('utf8');
  if (json) {
    assert.equal(text.indexOf('\n'), text.length - 1);
    assert.equal(text, JSON.stringify(JSON.parse(text)) + '\n');
    assert.deepEqual(JSON.parse(text), json);
  } else assert.equal(text, '');
}

test('any bytes: nothing throws, results are bounded', () => {
  fc.assert(fc.property(anyBytes, (b) => decodeEverything(b)), { numRuns: RUNS, seed: 20261204 });
});

test('real responses with bytes flipped or cut: nothing throws, results are bounded', () => {
  fc.assert(fc.property(damaged, (b) => decodeEverything(b)), { numRuns: RUNS, seed: 20261204 });
});

test('a well-formed response is read back exactly: id, question, answers', () => {
  fc.assert(fc.property(response, (r) => {
    const s = emptyDnsSummary();
    assert.equal(parseDnsSummaryInto(r.bytes, s), undefined);
    assert.equal(s.id, r.id);
    assert.equal(s.qname, r.qname);
    const answers = readAnswerRecords({ payload: r.bytes, offset: s.answersAt, count: s.ancount });
    assert.deepEqual(answers.map((a) => [a.type, a.name, a.data]), r.answers.map((a) => [a.type, a.name, a.data]));
    // Given the question's name (answers pointing to it are not read again): the same answers.
    assert.deepEqual(readAnswerRecords({ payload: r.bytes, offset: s.answersAt, count: s.ancount, question: s.qname }), answers);
  }), { numRuns: RUNS, seed: 20261204 });
});
