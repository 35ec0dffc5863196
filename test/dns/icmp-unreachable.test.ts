// ICMP destination-unreachable answers to DNS queries, replayed from a capture: each is an event
// (with the client's socket, the resolver and why), it ends its query at once as "unreachable"
// rather than a timeout five seconds later, and a resolver that only answers this way is down:
// "nothing listens on its DNS port".
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import dnsPacket from 'dns-packet';
import { createPcapSource } from '../../src/capture/pcap-source.js';
import { eventToJson, eventToText } from '../../src/cli/event-json.js';
import { createDnsAnalyzer } from '../../src/dns/dns-analyzer.js';
import type { DnsTransaction } from '../../src/dns/types.js';
import type { CaptureEvent, CaptureSummary } from '../../src/events.js';
import { ethernet, ip, pcapFile, udp, type FixtureFrame, type L4 } from '../capture/frame-builder.js';

const T0 = Date.UTC(2026, 0, 2, 3, 4, 5);
const CLIENT = '10.202.7.1';
const DEAD = '10.202.7.53';

/** Queries to a resolver host where nothing listens on port 53, each answered by ICMP port unreachable. */
function capture(): Buffer {
  const frames: FixtureFrame[] = [];
  for (let i = 0; i < 4; i++) {
    const q: L4 = { src: CLIENT, sport: 40000 + i, dst: DEAD, dport: 53 };
    const query = ip(q, 17, udp(q, dnsPacket.encode({ type: 'query', id: 100 + i, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name: `n${i}.example.com` }] })));
    const h = Buffer.alloc(8);
    h[0] = 3; // destination unreachable
    h[1] = 3; // port unreachable
    const back: L4 = { src: DEAD, sport: 0, dst: CLIENT, dport: 0 };
    frames.push({ ts: T0 + i * 1000, data: ethernet(query) }, { ts: T0 + i * 1000 + 1, data: ethernet(ip(back, 1, Buffer.concat([h, query.subarray(0, 28)]))) });
  }
  return pcapFile(1, frames);
}

test('replayed ICMP port unreachable answers to DNS queries: events, unreachable lookups, resolver_down', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ew-icmp-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'dead.pcap'), capture());
  const events: CaptureEvent[] = [];
  const summary = await createPcapSource(join(dir, 'dead.pcap'), { dnsPorts: [53] }).run((batch) => {
    events.push(...batch);
  });
  assert.equal(summary.events.dns_unreachable, 4);
  const unreachable = events.filter((e) => e.type === 'dns_unreachable');
  assert.deepEqual(unreachable.map((e) => [e.src, e.sport, e.dst, e.dport, e.type === 'dns_unreachable' && e.reason]), [0, 1, 2, 3].map((i) => [CLIENT, 40000 + i, DEAD, 53, 'port']));
  const json = eventToJson(unreachable[0], { events: {}, malformed: {}, lost: {}, counters: {} } as unknown as CaptureSummary);
  assert.deepEqual(json, { type: 'dns_unreachable', ts: '2026-01-02T03:04:05.001Z', tsMs: T0 + 1, proto: 'udp', src: CLIENT, sport: 40000, dst: DEAD, dport: 53, reason: 'port' });
  assert.match(eventToText(json!), /dns {2}unreachable udp 10\.202\.7\.1:40000 > 10\.202\.7\.53:53 \(port\)/);

  const done: DnsTransaction[] = [];
  const analyzer = createDnsAnalyzer({ horizonMs: Infinity }, { onTransaction: (tx) => done.push({ ...tx }) });
  analyzer.ingest(events);
  analyzer.advance(T0 + 60_000);
  const snap = analyzer.snapshot();
  assert.deepEqual(done.map((tx) => [tx.qname, tx.outcome]), [0, 1, 2, 3].map((i) => [`n${i}.example.com`, 'unreachable']));
  const r = snap.resolvers.find((x) => x.server === DEAD);
  assert.equal(r?.timeouts, 0, 'no query waits for a timeout');
  assert.equal(r?.unreachable, 4);
  const down = snap.findings.find((f) => f.kind === 'resolver_down');
  assert.ok(down, JSON.stringify(snap.findings));
  assert.equal(down.resolver, DEAD);
  assert.match(down.summary, /answered none of 4 queries \(4 refused by ICMP port unreachable: nothing listens on its DNS port\)/);
});
