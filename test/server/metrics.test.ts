// /metrics without a Prometheus: Prometheus naming (_total counters, _seconds, _ratio), bounded
// label values (top N by volume, "other" for the rest, admission sticky across scrapes), and a
// hostile provider name that stays a quoted label value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ProbeResult } from '../../src/events.js';
import { LabelBudget } from '../../src/server/label-budget.js';
import { dnsSnapshot, resolver, snapshot } from '../helpers/status-snapshot.js';
import { startTestServer } from '../helpers/status-server.js';

test('LabelBudget keeps the first N names it admits and sends the rest to "other", for good', () => {
  const b = new LabelBudget(2);
  assert.deepEqual([...b.assign(['a', 'b', 'c']).values()], ['a', 'b', 'other']);
  // "c" became the busiest: it still shares "other", so no counter jumps between series.
  assert.deepEqual([...b.assign(['c', 'a', 'b']).values()], ['other', 'a', 'b']);
  assert.equal(b.label('other'), 'other');
});

test('metric names follow Prometheus conventions and provider labels are bounded', async (t) => {
  const now = Date.now();
  const srv = await startTestServer({ now, topN: 2, dns: dnsSnapshot([resolver('10.0.0.2'), resolver('10.0.0.3'), resolver('10.0.0.4', { queries: 1 })], []) });
  t.after(() => srv.close());
  await srv.store.putSnapshot(snapshot([{ id: 'a' }, { id: 'b' }, { id: 'c"}\n# evil' }, { id: 'd' }], now));
  const res = await fetch(`${srv.url}/metrics`);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  const names = new Set([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => `${m[1]} ${m[2]}`));
  for (const n of names) {
    const [name, type] = n.split(' ');
    assert.match(name, /^[a-z_][a-z0-9_]*$/, name);
    if (type === 'counter') assert.match(name, /_total$/, `${name}: counters end in _total`);
  }
  assert.ok(names.has('egresswatch_dns_resolver_latency_seconds gauge'));
  assert.ok(names.has('egresswatch_provider_error_budget_remaining_ratio gauge'));
  const providers = new Set([...text.matchAll(/^egresswatch_provider_reliability_score\{provider="([^"]*)"\}/gm)].map((m) => m[1]));
  assert.equal(providers.size, 3, `two named providers and "other": ${[...providers]}`);
  assert.ok(providers.has('other'));
  const resolvers = new Set([...text.matchAll(/^egresswatch_dns_resolver_queries_total\{resolver="([^"]*)"\}/gm)].map((m) => m[1]));
  assert.deepEqual([...resolvers].sort(), ['10.0.0.2', '10.0.0.3', 'other']);
  assert.doesNotMatch(text, /^# evil/m, 'a provider id cannot inject exposition lines');
});

test('a check\'s certificate expiry is a gauge per check, and leaves /metrics when a reload removes the check', async (t) => {
  const srv = await startTestServer({ now: Date.now() });
  t.after(() => srv.close());
  const tls = (check: string, days: number): ProbeResult => ({ type: 'probe', probe: 'tls', check, target: 'edge.example:443', ok: true, ts: Date.now(), phases: { tlsMs: 5, totalMs: 6 }, attempts: 1, certExpiryDays: days, provider: 'edge' });
  srv.metrics.observeProbe(tls('edge-tls', 12));
  srv.metrics.observeProbe(tls('old-tls', 40));
  let text = await (await fetch(`${srv.url}/metrics`)).text();
  assert.match(text, /^egresswatch_check_certificate_expiry_days\{check="edge-tls",provider="edge"\} 12$/m);
  assert.match(text, /^egresswatch_check_certificate_expiry_days\{check="old-tls",provider="edge"\} 40$/m);
  srv.metrics.forgetChecks(['old-tls']);
  text = await (await fetch(`${srv.url}/metrics`)).text();
  assert.doesNotMatch(text, /check="old-tls"/);
  assert.match(text, /check="edge-tls"/);
});
