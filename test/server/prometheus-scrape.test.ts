// A real Prometheus (Debian's package) scrapes /metrics on loopback and PromQL through its HTTP
// API returns the expected per-provider and per-resolver series, with "other" beyond the top N,
// the host label on each, rate() over the call counters and quantiles from the histograms.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ProbeResult } from '../../src/events.js';
import { lookup } from '../health/scenario-helpers.js';
import { dnsFinding, dnsSnapshot, resolver, snapshot } from '../helpers/status-snapshot.js';
import { startTestServer } from '../helpers/status-server.js';
import { hasPrometheus, query, startPrometheus, waitFor } from '../helpers/prometheus.js';

function probe(provider: string, ok: boolean): ProbeResult {
  return { type: 'probe', check: `${provider}-api`, probe: 'http', target: 'https://x', ok, ts: Date.now(), phases: { dnsMs: 2, connectMs: 5, tlsMs: 8, firstByteMs: 20, totalMs: 36 }, attempts: 1, provider, ...(ok ? {} : { error: { kind: 'connect_refused', message: 'refused' } }) };
}

test('Prometheus scrapes /metrics and PromQL returns per-provider and per-resolver series', { skip: !hasPrometheus && 'prometheus is not installed' }, async (t) => {
  const now = Date.now();
  const srv = await startTestServer({ now, topN: 3, dns: dnsSnapshot([resolver('10.0.0.2', { queries: 5000 }), resolver('10.0.0.3', { queries: 10 })], [dnsFinding()]) });
  t.after(() => srv.close());
  // Five providers, ranked by calls in the last hour (total = 5000 + index): the top 3 keep their names.
  await srv.store.putSnapshot(snapshot([{ id: 'p0' }, { id: 'p1' }, { id: 'p2', state: 'major_outage' }, { id: 'p3' }, { id: 'p4' }], now));
  for (let i = 0; i < 4; i++) srv.metrics.observeProbe(probe('p4', true));
  srv.metrics.observeProbe(probe('p4', false));
  // Lookups as they are labelled: 50 to one resolver (ten SERVFAIL, 4 ms or 40 ms), two to another.
  srv.metrics.traffic.ingestLookups(Array.from({ length: 50 }, (_, i) => lookup({ ts: now, qname: 'api.p1.example', server: '10.0.0.2', rcode: i % 5 === 0 ? 'SERVFAIL' : 'NOERROR', latencyMs: i < 45 ? 4 : 40 })));
  srv.metrics.traffic.ingestLookups([lookup({ ts: now, qname: 'x.example', server: '10.0.0.3' }), lookup({ ts: now, qname: 'x.example', server: '10.0.0.3', timeout: true })]);

  const { base, log } = await startPrometheus(t, `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: egresswatch\n    static_configs:\n      - targets: ['127.0.0.1:${srv.port}']\n`);
  const up = await waitFor(base, 'up{job="egresswatch"}', (r) => r.length === 1 && r[0].value[1] === '1').catch((err: Error) => {
    throw new Error(`${err.message}; prometheus said: ${log().slice(-500)}`);
  });
  assert.equal(up[0].metric.instance, `127.0.0.1:${srv.port}`);

  const scores = await waitFor(base, 'egresswatch_provider_reliability_score', (r) => r.length > 0);
  const byProvider = Object.fromEntries(scores.map((r) => [r.metric.provider, Number(r.value[1])]));
  // p4 was admitted first (by the check results), then p3 and p2 by calls; the rest share "other".
  assert.deepEqual(Object.keys(byProvider).sort(), ['other', 'p2', 'p3', 'p4']);
  assert.equal(byProvider.p2, 55);
  assert.equal(byProvider.other, 98);

  const down = await query(base, 'egresswatch_provider_state == 3');
  assert.deepEqual(down.map((r) => r.metric.provider), ['p2']);

  const runs = await query(base, 'sum by (result) (egresswatch_check_runs_total{provider="p4"})');
  assert.deepEqual(Object.fromEntries(runs.map((r) => [r.metric.result, r.value[1]])), { success: '4', failure: '1' });

  const lookups = await query(base, 'sum by (resolver, host) (egresswatch_dns_lookups_total)');
  assert.deepEqual(Object.fromEntries(lookups.map((r) => [`${r.metric.resolver}@${r.metric.host}`, r.value[1]])), { '10.0.0.2@test-host': '50', '10.0.0.3@test-host': '2' });
  const servfail = await query(base, 'egresswatch_dns_lookups_total{result="servfail"}');
  assert.deepEqual(servfail.map((r) => [r.metric.resolver, r.value[1]]), [['10.0.0.2', '10']]);
  const dnsFailureRatio = await query(base, 'sum by (provider) (egresswatch_call_failures_total{kind="dns"}) / sum by (provider) (egresswatch_calls_total{kind="dns"})');
  assert.deepEqual(dnsFailureRatio.map((r) => [r.metric.provider, Number(r.value[1])]).sort(), [['p1', 0.2], ['unknown', 0.5]]);
  // 45 of 50 answers in the 5 ms bucket: the median is under 5 ms, the 99th percentile in the 25–100 ms bucket.
  const p50 = await query(base, 'histogram_quantile(0.5, sum by (le) (egresswatch_dns_lookup_duration_seconds_bucket{resolver="10.0.0.2"}))');
  assert.ok(Number(p50[0].value[1]) <= 0.005, p50[0].value[1]);
  const p99 = await query(base, 'histogram_quantile(0.99, sum by (le) (egresswatch_dns_lookup_duration_seconds_bucket{resolver="10.0.0.2"}))');
  assert.ok(Number(p99[0].value[1]) > 0.025 && Number(p99[0].value[1]) <= 0.1, p99[0].value[1]);
  const success = await query(base, 'probe_success{check="p4-api"}');
  assert.deepEqual(success.map((r) => [r.metric.provider, r.metric.host, r.value[1]]), [['p4', 'test-host', '0']]);
  const findings = await query(base, 'egresswatch_dns_findings');
  assert.deepEqual(findings.map((r) => [r.metric.kind, r.metric.severity, r.value[1]]), [['ndots_amplification', 'warning', '1']]);
  const processing = await query(base, 'probe_http_duration_seconds{check="p4-api",phase="processing"}');
  assert.equal(processing[0].value[1], '0.02', 'the 20 ms to the first byte');
});
