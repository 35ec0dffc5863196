// The fast header-and-question reader: what it extracts, and malformed input counted by reason;
// the direct answer reader on compressed names.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import dnsPacket from 'dns-packet';
import { parseDnsSummary, readAnswerRecords } from '../../src/dns/message.js';

test('reads id, flags, rcode, answer count and the question', () => {
  const buf = dnsPacket.encode({
    type: 'response', id: 4242, flags: 0x8000 | dnsPacket.TRUNCATED_RESPONSE | 3,
    questions: [{ type: 'AAAA', name: 'Api.Example.COM', class: 'IN' }],
    answers: [{ type: 'AAAA', name: 'api.example.com', ttl: 5, data: '2001:db8::1' }],
  });
  const r = parseDnsSummary(buf);
  assert.ok(r.ok);
  assert.deepEqual(r.summary, { id: 4242, qr: true, opcode: 0, rcode: 'NXDOMAIN', tc: true, ancount: 1, qname: 'api.example.com', qtype: 'AAAA', answersAt: 33 });
});

test('hostile label bytes are escaped in the name, as dig prints them', () => {
  const q = Buffer.from([0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 4, 0x61, 0x0a, 0x2e, 0x1b, 3, 0x63, 0x6f, 0x6d, 0, 0, 16, 0, 1]);
  const r = parseDnsSummary(q);
  assert.ok(r.ok);
  assert.equal(r.summary.qname, 'a\\010\\046\\027.com');
  assert.equal(r.summary.qtype, 'TXT');
  assert.ok(!/[\x00-\x1f]/.test(r.summary.qname));
});

test('malformed messages give a reason and never throw', () => {
  const header = [0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0];
  const cases: [string, number[]][] = [
    ['short_header', [0, 1, 2]],
    ['no_question', [0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]],
    ['truncated', [...header, 5, 0x61]],
    ['truncated', [...header, 1, 0x61, 0, 0]],
    ['pointer_loop', [...header, 0xc0, 12, 0, 1, 0, 1]],
    ['bad_label', [...header, 0x41, 0, 0, 1, 0, 1]],
    ['name_too_long', [...header, ...Array.from({ length: 5 }, () => [63, ...new Array(63).fill(0x61)]).flat(), 0, 0, 1, 0, 1]],
  ];
  for (const [reason, bytes] of cases) {
    const r = parseDnsSummary(Uint8Array.from(bytes));
    assert.deepEqual(r, { ok: false, reason }, `expected ${reason}`);
  }
});

test('answers compressed to point at the question: the same records whether the question name is given or read again', () => {
  // www.example.com A? → www.example.com CNAME edge.example.net; edge.example.net A 192.0.2.7.
  const label = (s: string) => [s.length, ...Buffer.from(s)];
  const question = [...label('WWW'), ...label('example'), ...label('com'), 0];
  const header = [0x12, 0x34, 0x81, 0x80, 0, 1, 0, 2, 0, 0, 0, 0];
  const cnameData = [...label('edge'), ...label('example'), ...label('net'), 0];
  const cnameAt = 12 + question.length + 4 + 12; // where the CNAME's data starts
  const bytes = Uint8Array.from([
    ...header, ...question, 0, 1, 0, 1,
    0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, cnameData.length, ...cnameData,
    0xc0, cnameAt, 0, 1, 0, 1, 0, 0, 0, 30, 0, 4, 192, 0, 2, 7,
  ]);
  const s = parseDnsSummary(bytes);
  assert.ok(s.ok);
  const section = { payload: bytes, offset: s.summary.answersAt, count: s.summary.ancount };
  const expected = [
    { name: 'www.example.com', type: 'CNAME', ttl: 60, data: 'edge.example.net' },
    { name: 'edge.example.net', type: 'A', ttl: 30, data: '192.0.2.7' },
  ];
  assert.deepEqual(readAnswerRecords(section), expected);
  assert.deepEqual(readAnswerRecords({ ...section, question: s.summary.qname }), expected);
});
