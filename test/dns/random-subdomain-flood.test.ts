// The random-subdomain ("water torture") flood: many NXDOMAIN answers under one zone, nearly each
// for a different name never asked before, for three windows in a row, is a finding on its own, with
// no earlier traffic to compare with; the same volume for a few names, distinct names under a
// search domain, a client walking the same list of missing names again and again, or one window's
// burst, is not.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { createDnsAnalyzer } from '../../src/dns/dns-analyzer.js';
import { DistinctNames } from '../../src/dns/distinct-names.js';
import type { CaptureEvent } from '../../src/events.js';
import { query, response } from './dns-events.js';

const T0 = Date.UTC(2026, 0, 1);
const server = '10.203.0.10';

/**
 * `count` lookups answered NXDOMAIN, name(i) for the i-th, spread over `spanMs` from T0; then one
 * ordinary lookup 10 s after the last window (the resolver stays in use), which closes it.
 */
function lookups(count: number, name: (i: number) => string, spanMs = 20_000): CaptureEvent[] {
  const out: CaptureEvent[] = [];
  for (let i = 0; i < count; i++) {
    const flow = { client: '10.203.0.2', port: 30000 + (i % 30000), server, comm: 'flooder' };
    const ts = T0 + Math.floor((i * spanMs) / count);
    const n = name(i);
    out.push(query(flow, ts, i & 0xffff, n), response(flow, ts + 2, i & 0xffff, n, 'A', { rcode: 'NXDOMAIN' }));
  }
  const app = { client: '10.203.0.3', port: 41000, server, comm: 'app' };
  const after = Math.ceil(spanMs / 10_000) * 10_000 + 5_000;
  out.push(query(app, T0 + after, 1, 'api.example.com'), response(app, T0 + after + 2, 1, 'api.example.com'));
  return out;
}

function findings(events: CaptureEvent[], searchDomains: string[] = []) {
  const a = createDnsAnalyzer({ horizonMs: Infinity, searchDomains });
  a.ingest(events);
  a.advance(T0 + 600_000);
  return a.snapshot().findings;
}

test('random names under one zone, all NXDOMAIN, 1,000 in each of three windows, with no traffic before: a random_subdomain_flood finding', () => {
  const found = findings(lookups(3_000, () => `${randomBytes(6).toString('hex')}.victim.example`, 30_000));
  const flood = found.find((f) => f.kind === 'random_subdomain_flood');
  assert.ok(flood, JSON.stringify(found.map((f) => f.kind)));
  assert.equal(flood.zone, 'victim.example');
  assert.equal(flood.resolver, server);
  // The first two windows alone are not yet a flood: the third is.
  assert.equal(flood.count, 1_000);
  assert.match(flood.summary, /answered 1000 NXDOMAIN under zone victim\.example for about \d+ distinct names in 1 window/);
  assert.ok((flood.evidence as { distinctNames: number }).distinctNames > 900);
  assert.match(flood.summary, /asked by flooder/);
});

test('the same volume for five names, or distinct names under a search domain, is no flood', () => {
  assert.equal(findings(lookups(1_000, (i) => `host${i % 5}.victim.example`)).filter((f) => f.kind === 'random_subdomain_flood').length, 0);
  const expansions = findings(lookups(1_000, (i) => `service${i}.default.svc.cluster.local`), ['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local']);
  assert.equal(expansions.filter((f) => f.kind === 'random_subdomain_flood').length, 0);
});

test('a client walking the same 500 missing names, 300 a window for a minute, is no flood; one window of random names is none either', () => {
  const walk = findings(lookups(1_800, (i) => `n${i % 500}.cdn.example`, 60_000));
  assert.deepEqual(walk.filter((f) => f.kind === 'random_subdomain_flood'), []);
  const burst = findings(lookups(1_000, () => `${randomBytes(6).toString('hex')}.victim.example`, 5_000));
  assert.deepEqual(burst.filter((f) => f.kind === 'random_subdomain_flood'), []);
});

test('a client walking 5,000 names (one in ten missing) at 300 a second, started 3 s into a window, is no flood', () => {
  // Its first pass spans two windows of names never asked before; the third window repeats them.
  const events: CaptureEvent[] = [];
  for (let q = 1; q <= 300 * 60; q++) {
    const ts = T0 + 3_000 + Math.floor((q * 1000) / 300);
    const n = q % 5000;
    const name = `n${n}.z${n % 40}.cdn.example`;
    const flow = { client: '10.203.0.2', port: 30000 + (q % 20000), server, comm: 'walker' };
    events.push(query(flow, ts, q & 0xffff, name), response(flow, ts + 1, q & 0xffff, name, 'A', n % 10 === 0 ? { rcode: 'NXDOMAIN' } : {}));
  }
  assert.deepEqual(findings(events).filter((f) => f.kind === 'random_subdomain_flood'), []);
});

test('DistinctNames tells which share of one set another holds, within a few points', () => {
  const earlier = new DistinctNames();
  for (let i = 0; i < 2_000; i++) earlier.add(`n${i}.example`);
  for (const repeated of [0, 0.25, 0.5, 1]) {
    const now = new DistinctNames();
    for (let i = 0; i < 1_000; i++) now.add(i < repeated * 1_000 ? `n${i}.example` : `fresh${i}.example`);
    assert.ok(Math.abs(now.shareAlsoIn(earlier) - repeated) < 0.05, `${repeated}: ${now.shareAlsoIn(earlier)}`);
  }
  const union = new DistinctNames();
  union.addAll(earlier);
  union.addAll(earlier);
  assert.equal(union.estimate(), earlier.estimate());
});

test('DistinctNames estimates distinct names within a few percent up to 10,000', () => {
  for (const n of [100, 1_000, 10_000]) {
    const d = new DistinctNames();
    for (let i = 0; i < n; i++) {
      d.add(`n${i}.example`);
      d.add(`n${i}.example`);
    }
    assert.ok(Math.abs(d.estimate() - n) / n < 0.05, `${n}: ${d.estimate()}`);
  }
});
