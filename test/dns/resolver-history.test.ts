// The per-minute history of the busiest resolvers behind the DNS page's charts: closed windows
// summed into minutes (rates, rcodes, timeouts, latency quantiles), a day kept, at most 16
// resolvers (the busiest), and the analyzer's snapshot carrying it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createDnsAnalyzer } from '../../src/dns/dns-analyzer.js';
import { emptyWindow } from '../../src/dns/resolver-health.js';
import { ResolverHistory } from '../../src/dns/resolver-history.js';
import type { CaptureEvent } from '../../src/events.js';
import { query, response } from './dns-events.js';

const T0 = Date.UTC(2026, 0, 1);

function window(start: number, queries: number, nx: number, latencyMs: number) {
  const w = emptyWindow(start, 0.01);
  w.queries = queries;
  w.answered = queries;
  w.rcodes = { NOERROR: queries - nx, NXDOMAIN: nx };
  for (let i = 0; i < queries; i++) w.latency.add(latencyMs);
  return w;
}

test('closed windows become minutes; a day is kept; quantiles per minute', () => {
  const h = new ResolverHistory(0.01);
  for (let s = 0; s < 6; s++) h.add('10.0.0.2', window(T0 + s * 10_000, 10, 1, 5));
  h.add('10.0.0.2', window(T0 + 60_000, 20, 0, 50));
  const [r] = h.series(T0);
  assert.equal(r.server, '10.0.0.2');
  assert.deepEqual(r.minutes.map((m) => [m.t - T0, m.queries, m.nxdomain]), [[0, 60, 6], [60_000, 20, 0]]);
  assert.ok(Math.abs((r.minutes[0].p50Ms ?? 0) - 5) < 0.2 && Math.abs((r.minutes[1].p99Ms ?? 0) - 50) < 1);
  // A day later, the minutes more than a day older than the newest have left.
  h.add('10.0.0.2', window(T0 + 86_400_000 + 60_000, 1, 0, 5));
  h.add('10.0.0.2', window(T0 + 86_400_000 + 120_000, 1, 0, 5));
  assert.deepEqual(h.series(0)[0].minutes.map((m) => m.t - T0), [86_400_000 + 60_000, 86_400_000 + 120_000]);
});

test('at most 16 resolvers: a busier one takes the place of the quietest', () => {
  const h = new ResolverHistory(0.01);
  for (let i = 0; i < 16; i++) h.add(`10.0.1.${i}`, window(T0, 10 + i, 0, 1));
  h.add('10.0.2.1', window(T0, 5, 0, 1));
  assert.ok(!h.series(0).some((s) => s.server === '10.0.2.1'), 'quieter than every kept one: not kept');
  h.add('10.0.2.2', window(T0, 500, 0, 1));
  const servers = h.series(0).map((s) => s.server);
  assert.equal(servers.length, 16);
  assert.equal(servers[0], '10.0.2.2', 'busiest first');
  assert.ok(!servers.includes('10.0.1.0'), 'the quietest left');
});

test('the analyzer snapshot carries the history of its resolvers', () => {
  const a = createDnsAnalyzer({ horizonMs: Infinity });
  const events: CaptureEvent[] = [];
  for (let i = 0; i < 30; i++) {
    const flow = { client: '10.203.0.2', port: 40000 + i, server: '10.203.0.10' };
    const ts = T0 + i * 5_000;
    events.push(query(flow, ts, i, `n${i}.example.com`), response(flow, ts + 3, i, `n${i}.example.com`, 'A', { rcode: i % 3 === 0 ? 'NXDOMAIN' : 'NOERROR' }));
  }
  a.ingest(events);
  const snap = a.snapshot();
  const r = snap.history.find((x) => x.server === '10.203.0.10');
  assert.ok(r && r.minutes.length >= 2, JSON.stringify(snap.history));
  assert.equal(r.minutes.reduce((n, m) => n + m.nxdomain, 0) > 0, true);
});
