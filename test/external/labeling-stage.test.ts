// The labelling stage as `run` wires it: passive DNS learns from the DNS analyzer's parsed
// responses (a capture file replayed through the pcap source), lookups and endpoint events reach
// the sink labelled, and what arrives while the data loads waits in a bounded queue.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { createPcapSource } from '../../src/capture/pcap-source.js';
import { createDnsAnalyzer } from '../../src/dns/dns-analyzer.js';
import type { ProbeResult, TcpEvent } from '../../src/events.js';
import type { LabeledEvent, LabeledLookup } from '../../src/external/labeled-event.js';
import { LabelingStage } from '../../src/external/labeling-stage.js';
import { defaultLabelsSettings } from '../../src/external/labels-settings.js';
import { testOutputDir } from '../helpers/paths.js';
import { dnsQuery, dnsResponse, tcpSynFrame, udpFrame, writePcap } from './pcap-fixture.js';

const T0 = Date.UTC(2026, 0, 1);
const LOAD = { asnDatabase: 'none', aws: false } as const;

function collector() {
  const events: LabeledEvent[] = [];
  const lookups: LabeledLookup[] = [];
    const sink = {
    ingestEvents: (batch: readonly LabeledEvent[]) => batch.forEach((e) => events.push(e)),
    ingestLookups: (batch: readonly LabeledLookup[]) => batch.forEach((l) => lookups.push(l)),
  };
  return { events, lookups, sink };
}

test('passive DNS learns from the responses of a replayed capture, matched or not; NXDOMAIN answers and malformed packets teach nothing', async () => {
  const file = join(testOutputDir('external'), 'labeling-stage.pcap');
  writePcap(file, [
    udpFrame(T0, '10.204.0.2', 40001, '10.204.0.53', 53, dnsQuery('api.stripe.com', 7)),
    udpFrame(T0 + 2, '10.204.0.53', 53, '10.204.0.2', 40001, dnsResponse('api.stripe.com', [
      { name: 'api.stripe.com', type: 'CNAME', ttl: 300, data: 'edge.stripe.example' },
      { name: 'edge.stripe.example', type: 'A', ttl: 300, data: '203.0.113.20' },
    ], 7)),
    udpFrame(T0 + 3, '10.204.0.2', 40002, '10.204.0.53', 53, dnsQuery('gone.example', 8)),
    udpFrame(T0 + 4, '10.204.0.53', 53, '10.204.0.2', 40002, dnsResponse('gone.example', [{ name: 'gone.example', type: 'A', ttl: 60, data: '192.0.2.99' }], 8, 3)),
    udpFrame(T0 + 5, '10.204.0.53', 53, '10.204.0.2', 40003, Buffer.from([1, 2, 3])),
    // A response whose query was sent before the capture started.
    udpFrame(T0 + 5, '10.204.0.53', 53, '10.204.0.2', 40004, dnsResponse('db.example.net', [{ name: 'db.example.net', type: 'A', ttl: 60, data: '192.0.2.7' }], 9)),
    tcpSynFrame(T0 + 6, '10.204.0.2', 50000, '203.0.113.20', 443),
  ]);
  const out = collector();
  const stage = new LabelingStage({ settings: defaultLabelsSettings(), sink: out.sink });
  await stage.load(LOAD);
  const analyzer = createDnsAnalyzer({}, stage.analyzerHooks());
  const summary = await createPcapSource(file, { dnsPorts: [53] }).run((batch) => analyzer.ingest(batch));

  const label = stage.label('203.0.113.20');
  assert.deepEqual([label.provider, label.hostname, label.source], ['stripe', 'api.stripe.com', 'dns']);
  assert.equal(stage.label('192.0.2.99').source, 'none', 'an NXDOMAIN answer is not learnt');
  assert.equal(stage.label('192.0.2.7').hostname, 'db.example.net', 'an unmatched response teaches too');
  assert.equal(stage.passiveDns.stats().responses, 2);
  assert.deepEqual(summary.malformed, { dns_short_message: 1 }, 'the capture counts the malformed packet');
  assert.deepEqual(out.lookups.map((l) => [l.tx.qname, l.tx.rcode, l.provider]), [['api.stripe.com', 'NOERROR', 'stripe'], ['gone.example', 'NXDOMAIN', undefined]]);
  stage.close();
});

test('what arrives while the data loads waits, then reaches the sink labelled and in order', async () => {
  const out = collector();
  const stage = new LabelingStage({ settings: defaultLabelsSettings(), sink: out.sink });
  const failed: TcpEvent = { type: 'tcp', ts: T0, event: 'failed', reason: 'refused', src: '10.204.0.2', sport: 50001, dst: '203.0.113.1', dport: 443 };
  const connect: TcpEvent = { ...failed, event: 'connect', reason: undefined };
  const probe = (fields: Partial<ProbeResult>): ProbeResult => ({ type: 'probe', check: 'c', probe: 'tcp', target: 'api.twilio.com:443', ok: true, ts: T0, phases: { totalMs: 5 }, attempts: 1, ip: '203.0.113.1', ...fields });
  stage.ingest([connect, failed, probe({ check: 'plain' }), probe({ check: 'configured', provider: 'acme', service: 'billing' })]);
  assert.equal(out.events.length, 0, 'held until the data has loaded');
  await stage.load(LOAD);
  // The connection attempt itself is not an outcome: only the failure is handed on.
  assert.deepEqual(out.events.map((e) => [e.event.type === 'probe' ? e.event.check : e.event.event, e.label.provider, e.label.service, e.label.source]), [
    ['failed', undefined, undefined, 'none'],
    ['plain', 'twilio', undefined, 'catalogue'],
    ['configured', 'acme', 'billing', 'config'],
  ]);
  assert.equal(stage.dropped, 0);
  stage.close();
});

test('a full queue while loading drops and counts, and says so once loaded', async () => {
  const lines: string[] = [];
  const out = collector();
  const stage = new LabelingStage({ settings: defaultLabelsSettings(), sink: out.sink, log: (line) => lines.push(line) });
  const event: TcpEvent = { type: 'tcp', ts: T0, event: 'reset', src: '10.204.0.2', sport: 50001, dst: '203.0.113.1', dport: 443 };
  stage.ingest(new Array<TcpEvent>(150_000).fill(event));
  stage.ingest(new Array<TcpEvent>(60_000).fill(event));
  await stage.load(LOAD);
  assert.equal(stage.dropped, 60_000);
  assert.equal(out.events.length, 150_000);
  assert.ok(lines.some((l) => l.includes('60000 events arrived while loading and were dropped')), lines.join('\n'));
  stage.close();
});

test('a broken configured file rejects the load with one line; what waited is handed on as "unknown"', async () => {
  const out = collector();
  const stage = new LabelingStage({ settings: defaultLabelsSettings(), sink: out.sink });
  stage.ingest([{ type: 'tcp', ts: T0, event: 'reset', src: '10.204.0.2', sport: 50001, dst: '203.0.113.1', dport: 443 }]);
  await assert.rejects(stage.load({ ...LOAD, asnDatabase: join(testOutputDir('external'), 'no-such.mmdb') }), (err: Error) => !err.message.includes('\n') && err.message.includes('no-such.mmdb'));
  assert.deepEqual(out.events.map((e) => e.label.source), ['none']);
});

test('connections to this host itself (loopback, link-local, its own addresses) and the agent\'s own are not provider calls unless configured', async () => {
  const own = Object.values((await import('node:os')).networkInterfaces()).flat().find((a) => a && !a.internal && a.family === 'IPv4')?.address;
  const connect = (dst: string, i: number): TcpEvent => ({ type: 'tcp', ts: T0 + i, event: 'failed', reason: 'refused', src: '127.0.0.1', sport: 40000 + i, dst, dport: 8000 + i, comm: 'bash' });
  const local = ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1', '169.254.169.254', 'fe80::1', ...(own ? [own] : [])];
  const remote = ['203.0.113.20', '10.0.0.5', '2001:db8::1'];
  const batch = [...local, ...remote].map(connect);
  const probe: ProbeResult = { type: 'probe', probe: 'tcp', check: 'local-svc', target: '127.0.0.1:9000', ip: '127.0.0.1', ok: true, ts: T0, phases: { connectMs: 1, totalMs: 1 }, attempts: 1, provider: 'internal-api', service: 'api' };

  const ownCheck: TcpEvent = { ...connect('203.0.113.21', 99), pid: 4242, comm: 'node' };
  const out = collector();
  const stage = new LabelingStage({ settings: defaultLabelsSettings(), sink: out.sink, ownPid: 4242 });
  await stage.load(LOAD);
  stage.ingest([...batch, ownCheck, probe]);
  assert.deepEqual(out.events.map((e) => (e.event.type === 'tcp' ? e.event.dst : e.event.check)), [...remote, 'local-svc'], 'a configured check counts wherever its target is');
  assert.equal(stage.localSkipped, local.length);
  assert.equal(stage.ownSkipped, 1, 'the agent\'s own check connections count once, as check runs');
  stage.close();

  const all = collector();
  const watching = new LabelingStage({ settings: { ...defaultLabelsSettings(), watchLocalTraffic: true }, sink: all.sink });
  await watching.load(LOAD);
  watching.ingest(batch);
  assert.equal(all.events.length, batch.length);
  assert.equal(watching.localSkipped, 0);
  watching.close();
});
