// The human-readable line of `egresswatch capture` on hostile answers: control, C1 and
// bidirectional-override characters from the network are shown as escapes, never written raw.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import dnsPacket from 'dns-packet';
import { eventToJson, eventToText } from '../../src/cli/event-json.js';
import type { CaptureSummary, DnsPacket } from '../../src/events.js';
import { INVISIBLE } from '../../src/visible-text.js';

test('TXT and MX answers with DEL, C1 and bidi characters are escaped in the text line', () => {
  const payload = dnsPacket.encode({
    type: 'response', id: 3, questions: [{ type: 'TXT', name: 'example.com' }],
    answers: [
      { type: 'TXT', name: 'example.com', ttl: 60, data: 'a\x7fb\x9b[2Jc\u202ed\x1b' },
      { type: 'MX', name: 'example.com', ttl: 60, data: { preference: 10, exchange: 'm\x7fx.example.com' } },
    ],
  });
  const ev: DnsPacket = { type: 'dns', ts: Date.UTC(2026, 0, 1), dir: 'response', proto: 'udp', src: '192.0.2.53', sport: 53, dst: '192.0.2.1', dport: 40000, payload };
  const json = eventToJson(ev, { events: {}, malformed: {}, lost: {}, counters: {} } as unknown as CaptureSummary);
  assert.ok(json);
  const text = eventToText(json);
  assert.doesNotMatch(text, INVISIBLE);
  assert.match(text, /TXT "a\\x7fb\\x9b\[2Jc\\u202ed\\u001b"/);
  assert.match(text, /MX "10 m\\x7fx\.example\.com"/);
});
