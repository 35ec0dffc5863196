// Passive DNS: CNAME chains back to the asked name, TTL expiry with grace, the per-name address
// cap, least-recently-used eviction under a random-name flood.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DnsPacket } from '../../src/events.js';
import { PassiveDns } from '../../src/external/sources/passive-dns.js';
import { dnsResponse, learnResponse, type AnswerRecord } from './pcap-fixture.js';

const T0 = Date.UTC(2026, 0, 1);

/** Each response teaches passive DNS, in order. */
function learn(pdns: PassiveDns, packets: DnsPacket[]): void {
  for (const p of packets) learnResponse(pdns, p);
}

function response(ts: number, qname: string, answers: AnswerRecord[]): DnsPacket {
  return { type: 'dns', ts, dir: 'response', proto: 'udp', src: '10.204.0.53', sport: 53, dst: '10.204.0.2', dport: 40000, payload: dnsResponse(qname, answers) };
}

test('a CNAME chain is followed back to the asked name; the chain is kept in order', () => {
  const pdns = new PassiveDns({ graceMs: 0 });
  learn(pdns, [
    response(T0, 'api.stripe.com', [
      { name: 'api.stripe.com', type: 'CNAME', ttl: 300, data: 'api-edge.stripe.com' },
      { name: 'api-edge.stripe.com', type: 'CNAME', ttl: 60, data: 'd111.cloudfront.net' },
      { name: 'd111.cloudfront.net', type: 'A', ttl: 120, data: '203.0.113.10' },
      { name: 'd111.cloudfront.net', type: 'A', ttl: 120, data: '203.0.113.11' },
    ]),
  ]);
  const hit = pdns.lookup('203.0.113.11');
  assert.equal(hit?.name, 'api.stripe.com');
  assert.deepEqual(hit?.chain, ['api-edge.stripe.com', 'd111.cloudfront.net']);
  assert.equal(hit?.expiresAt, T0 + 60_000, 'the smallest TTL along the chain');
  assert.deepEqual(pdns.addressesOf('API.Stripe.com.'), ['203.0.113.10', '203.0.113.11']);
});

test('AAAA answers are stored in canonical form and found from any spelling through the labeler', () => {
  const pdns = new PassiveDns();
  learn(pdns, [response(T0, 'v6.example', [{ name: 'v6.example', type: 'AAAA', ttl: 60, data: '2001:DB8:0:0:0:0:0:A' }])]);
  assert.equal(pdns.lookup('2001:db8::a')?.name, 'v6.example');
});

test('a CNAME loop or a broken chain does not hang and keeps the furthest owner', () => {
  const pdns = new PassiveDns();
  learn(pdns, [
    response(T0, 'loop.example', [
      { name: 'a.example', type: 'CNAME', ttl: 60, data: 'b.example' },
      { name: 'b.example', type: 'CNAME', ttl: 60, data: 'a.example' },
      { name: 'a.example', type: 'A', ttl: 60, data: '192.0.2.1' },
    ]),
  ]);
  assert.ok(pdns.lookup('192.0.2.1'), 'still recorded');
});

test('entries expire after TTL plus grace, measured on the capture clock', () => {
  const pdns = new PassiveDns({ graceMs: 30_000 });
  learn(pdns, [response(T0, 'short.example', [{ name: 'short.example', type: 'A', ttl: 10, data: '192.0.2.10' }])]);
  assert.equal(pdns.lookup('192.0.2.10', T0 + 39_000)?.name, 'short.example', 'within TTL + grace');
  assert.equal(pdns.lookup('192.0.2.10', T0 + 41_000), undefined, 'gone after TTL + grace');
  assert.equal(pdns.stats().expired, 1);
  // Newer packets move the clock: an old entry is swept when traffic goes on.
  learn(pdns, [response(T0, 'other.example', [{ name: 'other.example', type: 'A', ttl: 5, data: '192.0.2.20' }])]);
  learn(pdns, [response(T0 + 3_600_000, 'late.example', [{ name: 'late.example', type: 'A', ttl: 60, data: '192.0.2.30' }])]);
  assert.equal(pdns.lookup('192.0.2.20'), undefined);
  assert.equal(pdns.lookup('192.0.2.30')?.name, 'late.example');
});

test('a name with rotating addresses keeps its newest ones up to the per-name cap, without evicting other names', () => {
  const pdns = new PassiveDns({ maxAddressesPerName: 4, maxEntries: 100 });
  learn(pdns, [response(T0, 'orders.internal.example', [{ name: 'orders.internal.example', type: 'A', ttl: 60, data: '10.204.5.5' }])]);
  for (let i = 0; i < 50; i++) {
    learn(pdns, [response(T0 + i, 'my-bucket.s3.amazonaws.com', [{ name: 'my-bucket.s3.amazonaws.com', type: 'A', ttl: 5, data: `52.218.0.${i}` }])]);
  }
  assert.deepEqual(pdns.addressesOf('my-bucket.s3.amazonaws.com'), ['52.218.0.46', '52.218.0.47', '52.218.0.48', '52.218.0.49']);
  assert.equal(pdns.lookup('52.218.0.10'), undefined);
  assert.equal(pdns.lookup('10.204.5.5')?.name, 'orders.internal.example');
  assert.equal(pdns.stats().capped, 46);
  assert.equal(pdns.stats().evicted, 0);
});

test('a flood of random names evicts the least recently refreshed entries and counts them; memory stays capped', () => {
  const pdns = new PassiveDns({ maxEntries: 1000 });
  learn(pdns, [response(T0, 'keep.example', [{ name: 'keep.example', type: 'A', ttl: 3600, data: '198.51.100.1' }])]);
  let seed = 42;
  const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0);
  for (let i = 0; i < 5000; i++) {
    const name = `${rand().toString(36)}.flood.example`;
    learn(pdns, [response(T0 + i, name, [{ name, type: 'A', ttl: 3600, data: `100.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` }])]);
    // A name the application keeps resolving stays fresh.
    if (i % 500 === 0) learn(pdns, [response(T0 + i, 'keep.example', [{ name: 'keep.example', type: 'A', ttl: 3600, data: '198.51.100.1' }])]);
  }
  const s = pdns.stats();
  assert.equal(s.entries, 1000);
  assert.equal(s.names, 1000);
  assert.equal(s.evicted, 5001 - 1000);
  assert.equal(pdns.lookup('198.51.100.1')?.name, 'keep.example');
  assert.equal(pdns.lookup('100.0.0.0'), undefined);
});
