// Findings from synthetic packet streams: each appears for its cause, and a clean stream has none.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createDnsAnalyzer } from '../../src/dns/dns-analyzer.js';
import type { DnsAnalyzerOptions } from '../../src/dns/types.js';
import type { CaptureEvent, ConntrackSample } from '../../src/events.js';
import { query, response, type Flow } from './dns-events.js';

const T0 = Date.UTC(2026, 0, 1);
const server = '10.203.0.10';

function flow(i: number, extra: Partial<Flow> = {}): Flow {
  return { client: `10.203.1.${2 + (i % 3)}`, port: 30000 + (i % 20000), server, ...extra };
}

function run(events: CaptureEvent[], end: number, opts: Partial<DnsAnalyzerOptions> = {}) {
  const a = createDnsAnalyzer({ horizonMs: Infinity, ...opts });
  a.ingest(events);
  a.advance(end);
  return a.snapshot();
}

/** A healthy lookup: A and AAAA from one socket, both answered in 2 ms. */
function goodLookup(i: number, ts: number, name = `svc${i % 7}.example.com`): CaptureEvent[] {
  const f = flow(i);
  return [query(f, ts, 2 * i, name, 'A'), query(f, ts + 0.05, 2 * i + 1, name, 'AAAA'), response(f, ts + 2, 2 * i, name, 'A'), response(f, ts + 2.1, 2 * i + 1, name, 'AAAA')];
}

function clean(n: number, start = T0, everyMs = 500): CaptureEvent[] {
  return Array.from({ length: n }, (_, i) => goodLookup(i, start + i * everyMs)).flat();
}

test('a clean stream produces no findings and sensible health', () => {
  const snap = run(clean(200), T0 + 200 * 500 + 10_000);
  assert.deepEqual(snap.findings, []);
  const r = snap.resolvers[0];
  assert.equal(r.queries, 400);
  assert.equal(r.answered, 400);
  assert.equal(r.timeouts, 0);
  assert.ok(r.latencyMs.p50! > 1.9 && r.latencyMs.p50! < 2.2);
});

test('resolver_down: queries sent, none answered', () => {
  const events: CaptureEvent[] = clean(20);
  for (let i = 0; i < 10; i++) events.push(query(flow(i), T0 + 20_000 + i * 1000, 9000 + i, 'down.example.com'));
  const snap = run(events, T0 + 40_000);
  const f = snap.findings.find((x) => x.kind === 'resolver_down');
  assert.ok(f, JSON.stringify(snap.findings));
  assert.equal(f.resolver, server);
  assert.equal(f.count, 10);
  assert.equal(f.severity, 'critical');
  assert.equal(snap.findings.filter((x) => x.kind === 'upstream_failure').length, 0);
});

test('upstream_failure names the zone the resolver SERVFAILs while answering others', () => {
  const events: CaptureEvent[] = clean(20);
  for (let i = 0; i < 6; i++) {
    const f = flow(i, { comm: 'app', pid: 5 });
    const name = `host${i}.broken.example.org`;
    events.push(query(f, T0 + 11_000 + i * 300, 7000 + i, name), response(f, T0 + 11_100 + i * 300, 7000 + i, name, 'A', { rcode: 'SERVFAIL' }));
  }
  const snap = run(events.sort((a, b) => a.ts - b.ts), T0 + 30_000);
  const f = snap.findings.find((x) => x.kind === 'upstream_failure');
  assert.ok(f, JSON.stringify(snap.findings));
  assert.equal(f.zone, 'example.org');
  assert.equal(f.count, 6);
  assert.deepEqual(f.processes, ['app[5]']);
  assert.equal(snap.findings.find((x) => x.kind === 'resolver_down'), undefined);
});

function conntrack(ts: number, insertFailed: number, drop: number): ConntrackSample {
  return { type: 'conntrack', ts, found: 0, invalid: 0, insert: 0, insertFailed, drop, earlyDrop: 0, searchRestart: 0, clashResolve: 0 };
}

test('conntrack_race: an answered A/AAAA query re-sent from the same socket 5 s later; corroborated by drops and counters', () => {
  const events: CaptureEvent[] = clean(10);
  const f = flow(1, { comm: 'getent', pid: 99, port: 45000 });
  const t = T0 + 20_000;
  events.push(
    conntrack(t - 1000, 4, 1),
    query(f, t, 100, 'api.stripe.com', 'A'), query(f, t + 0.05, 101, 'api.stripe.com', 'AAAA'),
    response(f, t + 2, 100, 'api.stripe.com', 'A'), response(f, t + 2.2, 101, 'api.stripe.com', 'AAAA'),
    { type: 'drop', ts: t + 2.3, reason: 'NETFILTER_DROP', proto: 'udp', src: server, sport: 53, dst: f.client, dport: f.port },
    query(f, t + 5_003, 101, 'api.stripe.com', 'AAAA'), response(f, t + 5_005, 101, 'api.stripe.com', 'AAAA'),
    conntrack(t + 6000, 5, 2),
  );
  const snap = run(events, t + 20_000);
  const race = snap.findings.find((x) => x.kind === 'conntrack_race');
  assert.ok(race, JSON.stringify(snap.findings));
  assert.equal(race.count, 1);
  assert.deepEqual(race.processes, ['getent[99]']);
  assert.equal(race.evidence.corroborated, true);
  assert.equal(race.evidence.netfilterDrops, 1);
  assert.equal(race.evidence.conntrackInsertFailedRise, 1);
  assert.ok(race.mitigations!.some((m) => m.includes('single-request-reopen')));
  assert.ok(race.mitigations!.some((m) => m.includes('NodeLocal')));
});

test('conntrack_race follows the resolver timeout from resolv.conf; a plain timeout re-send is not the race', () => {
  const f = flow(2, { port: 46000 });
  const t = T0 + 1_000;
  const pairThenResend = (gap: number): CaptureEvent[] => [
    query(f, t, 1, 'x.example.com', 'A'), query(f, t + 0.1, 2, 'x.example.com', 'AAAA'),
    response(f, t + 2, 1, 'x.example.com', 'A'),
    query(f, t + gap, 2, 'x.example.com', 'AAAA'), response(f, t + gap + 2, 2, 'x.example.com', 'AAAA'),
  ];
  assert.ok(run(pairThenResend(2_001), t + 30_000, { clientTimeoutMs: 2_000 }).findings.some((x) => x.kind === 'conntrack_race'));
  assert.ok(!run(pairThenResend(2_001), t + 30_000, { clientTimeoutMs: 5_000 }).findings.some((x) => x.kind === 'conntrack_race'));
  // Neither query of the pair answered: the resolver is silent, not a lost reply.
  const silent: CaptureEvent[] = [query(f, t, 1, 'y.example.com', 'A'), query(f, t + 0.1, 2, 'y.example.com', 'AAAA'), query(f, t + 5_001, 1, 'y.example.com', 'A')];
  assert.ok(!run(silent, t + 30_000).findings.some((x) => x.kind === 'conntrack_race'));
});

test('ndots_amplification: search suffixes tried (NXDOMAIN) before the real name, per process', () => {
  const search = ['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local'];
  const events: CaptureEvent[] = [];
  for (let i = 0; i < 4; i++) {
    const f = flow(i, { port: 50000 + i, comm: 'node', pid: 42 });
    let ts = T0 + i * 1000;
    let id = i * 100;
    for (const s of search) {
      events.push(query(f, ts, ++id, `api.github.com.${s}`), response(f, ts + 1, id, `api.github.com.${s}`, 'A', { rcode: 'NXDOMAIN' }));
      ts += 2;
    }
    events.push(query(f, ts, ++id, 'api.github.com'), response(f, ts + 3, id, 'api.github.com'));
  }
  const snap = run(events, T0 + 20_000, { searchDomains: search });
  const f = snap.findings.find((x) => x.kind === 'ndots_amplification');
  assert.ok(f, JSON.stringify(snap.findings));
  assert.equal(f.count, 12);
  assert.equal(f.evidence.wastedPerLookup, 3);
  assert.equal(f.evidence.addedLatencyMs, 6);
  assert.deepEqual(f.processes, ['node[42]']);
  assert.deepEqual(snap.ndots[0], { process: 'node', amplifiedLookups: 4, wastedQueries: 12, wastedPerLookup: 3, addedLatencyMs: 6 });
});

test('nxdomain_spike relative to the resolver baseline', () => {
  const events: CaptureEvent[] = clean(120, T0, 500); // 60 s of clean traffic: the baseline
  const t = T0 + 61_000;
  for (let i = 0; i < 30; i++) {
    const f = flow(i, { port: 60000 + i });
    events.push(query(f, t + i * 100, 30000 + i, `r${i}.typo.example.net`), response(f, t + i * 100 + 1, 30000 + i, `r${i}.typo.example.net`, 'A', { rcode: 'NXDOMAIN' }));
  }
  events.push(...clean(30, t + 10_000, 500));
  const snap = run(events, t + 40_000);
  const f = snap.findings.find((x) => x.kind === 'nxdomain_spike');
  assert.ok(f, JSON.stringify(snap.findings));
  assert.equal(f.zone, 'example.net');
  assert.equal(f.resolver, server);
  assert.equal(snap.findings.find((x) => x.kind === 'servfail_spike'), undefined);
  assert.deepEqual(f.evidence.names, ['r0.typo.example.net', 'r1.typo.example.net', 'r10.typo.example.net', 'r11.typo.example.net', 'r12.typo.example.net'], 'the spike names its names');
  assert.match(f.summary, /; names r0\.typo\.example\.net, .*; asked by 10\.203\.1\./);
});

test('resolver_refused: a resolver refusing one lookup in five is a finding naming the names and the processes refused', () => {
  const events: CaptureEvent[] = [];
  for (let i = 0; i < 100; i++) {
    const ts = T0 + i * 200;
    if (i % 5 === 0) {
      const f = flow(i, { port: 50000 + i, comm: 'billing-worker' });
      events.push(query(f, ts, 40000 + i, 'internal.corp.example'), response(f, ts + 1, 40000 + i, 'internal.corp.example', 'A', { rcode: 'REFUSED' }));
    } else events.push(...goodLookup(i, ts));
  }
  const snap = run(events, T0 + 40_000);
  const f = snap.findings.find((x) => x.kind === 'resolver_refused');
  assert.ok(f, JSON.stringify(snap.findings.map((x) => x.kind)));
  assert.equal(f.resolver, server);
  assert.equal(f.severity, 'warning');
  assert.deepEqual([f.evidence.names, f.evidence.askers], [['internal.corp.example'], ['billing-worker']]);
  assert.match(f.summary, /^resolver 10\.203\.0\.10 refused 10 of the 90 queries it answered \(11%\) in 1 window\(s\); names internal\.corp\.example; asked by billing-worker$/);
  assert.deepEqual(run(clean(200), T0 + 200 * 500 + 10_000).findings, [], 'none without REFUSED');
});

test('resolver_overload: latency and timeouts grow with load', () => {
  const events: CaptureEvent[] = [];
  let id = 0;
  for (let w = 0; w < 9; w++) {
    const busy = w % 3 === 2;
    const n = busy ? 200 : 20;
    const start = T0 + w * 10_000;
    for (let i = 0; i < n; i++) {
      const f = flow(i, { port: 20000 + (id % 30000) });
      const ts = start + (i * 9_000) / n;
      const name = `n${i % 5}.example.com`;
      events.push(query(f, ts, ++id % 65536, name));
      if (busy && i % 10 === 0) continue; // 10 % lost under load
      events.push(response(f, ts + (busy ? 150 : 3), id % 65536, name));
    }
  }
  events.sort((a, b) => a.ts - b.ts);
  const snap = run(events, T0 + 120_000);
  const f = snap.findings.find((x) => x.kind === 'resolver_overload');
  assert.ok(f, JSON.stringify(snap.findings.map((x) => x.summary)));
  assert.ok((f.evidence.highLoadP90Ms as number) > 100);
});

test('names and zones stay bounded under a random-name flood, the tail summed into "other"', () => {
  const events: CaptureEvent[] = [];
  for (let i = 0; i < 5000; i++) {
    const f = flow(i, { port: 10000 + i });
    const name = `${i.toString(36)}x.rnd${i % 997}.example${i % 50}.com`;
    events.push(query(f, T0 + i, i, name), response(f, T0 + i + 1, i, name, 'A', { rcode: 'NXDOMAIN' }));
  }
  const snap = run(events, T0 + 10_000, { topN: 10 });
  assert.equal(snap.names.length, 11);
  assert.equal(snap.names[10].name, 'other');
  assert.equal(snap.names.reduce((a, n) => a + n.queries, 0), 5000);
  assert.equal(snap.zones.length, 11);
  assert.equal(snap.zones.reduce((a, z) => a + z.queries, 0), 5000);
});

test('malformed DNS payloads are counted by reason and do not stop the analysis', () => {
  const bad = query(flow(1), T0, 1, 'ok.example.com');
  const a = createDnsAnalyzer();
  a.ingest([{ ...bad, payload: Uint8Array.from([1, 2, 3]) }, { ...bad, payload: Uint8Array.from([0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1]) }, ...goodLookup(1, T0 + 1)]);
  const snap = a.snapshot();
  assert.deepEqual(snap.malformed, { short_header: 1, pointer_loop: 1 });
  assert.equal(snap.answered, 2);
});

test('conntrack_race as glibc shows it: a reply lands between A and AAAA, the AAAA reply is lost, both re-sent one at a time', () => {
  const f = flow(3, { port: 44432 });
  const t = T0 + 1_000;
  const events: CaptureEvent[] = [
    query(f, t, 33382, 'api.example.com', 'A'), response(f, t + 0.6, 33382, 'api.example.com', 'A'),
    query(f, t + 0.7, 39780, 'api.example.com', 'AAAA'), response(f, t + 0.75, 39780, 'api.example.com', 'AAAA', { answers: 0 }),
    // 5 s later, single-request mode: A, its answer, then AAAA, its answer.
    query(f, t + 5_002, 33382, 'api.example.com', 'A'), response(f, t + 5_002.2, 33382, 'api.example.com', 'A'),
    query(f, t + 5_002.3, 39780, 'api.example.com', 'AAAA'), response(f, t + 5_002.4, 39780, 'api.example.com', 'AAAA', { answers: 0 }),
  ];
  const snap = run(events, t + 30_000);
  const race = snap.findings.find((x) => x.kind === 'conntrack_race');
  assert.ok(race, JSON.stringify(snap.findings));
  assert.equal(race.count, 1, 'one stalled lookup, counted once');
  assert.equal(race.evidence.corroborated, false);
  assert.equal(race.severity, 'warning');
  const stalled = snap.recentProblems.filter((tx) => tx.stalled);
  assert.deepEqual(stalled.map((tx) => [tx.qtype, tx.retryOf]), [['A', 'answered'], ['AAAA', 'answered']]);
});
