// /metrics without a Prometheus: `promtool check metrics` finds nothing to say; Prometheus naming
// (_total counters, _seconds, _ratio); the host identity on every series; bounded label values
// (top N, "other" for the rest, admission sticky); counters of calls and lookups as they are
// labelled; blackbox_exporter-shaped probe_* series per check; a hostile provider name that stays
// a quoted label value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { ProbeResult, TcpEvent } from '../../src/events.js';
import { LabelBudget } from '../../src/server/label-budget.js';
import { labelled, lookup, minuteOfConnects } from '../health/scenario-helpers.js';
import { snapshot } from '../helpers/status-snapshot.js';
import { startTestServer } from '../helpers/status-server.js';

/** promtool's findings on an exposition text (it reads stdin): empty when clean. */
function promtoolFindings(text: string): string {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (r.error) throw new Error(`promtool: ${r.error.message} (install the system packages: scripts/install-system-packages.sh installs prometheus)`);
  return `${r.stdout}${r.stderr}`.trim();
}

/** The value of the sample of `name` whose labels are exactly `labels` ('a="x",b="y"', any order). */
function sample(text: string, name: string, labels: string): number {
  const want = labels.split(/,(?=\w+=")/).sort().join(',');
  for (const m of text.matchAll(new RegExp(`^${name}\\{(.*)\\} (\\S+)$`, 'gm'))) {
    if (m[1].split(/,(?=\w+=")/).sort().join(',') === want) return Number(m[2]);
  }
  assert.fail(`${name}{${labels}} not in\n${text.split('\n').filter((l) => l.startsWith(name)).join('\n')}`);
}

test('LabelBudget keeps the first N names it admits and sends the rest to "other", for good', () => {
  const b = new LabelBudget(2);
  assert.deepEqual([...b.assign(['a', 'b', 'c']).values()], ['a', 'b', 'other']);
  // "c" became the busiest: it still shares "other", so no counter jumps between series.
  assert.deepEqual([...b.assign(['c', 'a', 'b']).values()], ['other', 'a', 'b']);
  assert.equal(b.label('other'), 'other');
});

test('promtool finds nothing to say, every series names the host, and provider and resolver labels are bounded', async (t) => {
  const now = Date.now();
  const srv = await startTestServer({ now, topN: 2, identity: { host: 'web-1', cluster: 'prod', zone: 'eu-1a' } });
  t.after(() => srv.close());
  await srv.store.putSnapshot(snapshot([{ id: 'a' }, { id: 'b' }, { id: 'c"}\n# evil' }, { id: 'd' }], now));
  srv.metrics.traffic.ingestLookups(['10.0.0.2', '10.0.0.3', '10.0.0.4'].map((server) => lookup({ ts: now, qname: 'api.p1.example', server })));
  srv.metrics.traffic.ingestEvents(labelled(minuteOfConnects(1, now, 10, 2)));
  srv.metrics.observeProbe({ type: 'probe', probe: 'http', check: 'api', target: 'https://api.example/', ok: true, ts: now, phases: { dnsMs: 1, connectMs: 2, tlsMs: 3, firstByteMs: 4, transferMs: 1, totalMs: 11 }, attempts: 1, status: 200, provider: 'a' });
  const res = await fetch(`${srv.url}/metrics`);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  assert.equal(promtoolFindings(text), '');
  const names = new Set([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => `${m[1]} ${m[2]}`));
  for (const n of names) {
    const [name, type] = n.split(' ');
    assert.match(name, /^[a-z_][a-z0-9_]*$/, name);
    if (type === 'counter') assert.match(name, /_total$/, `${name}: counters end in _total`);
  }
  for (const line of text.split('\n').filter((l) => l && !l.startsWith('#'))) {
    for (const label of ['host="web-1"', 'cluster="prod"', 'zone="eu-1a"']) assert.ok(line.includes(label), `${line}: ${label}`);
  }
  assert.ok(names.has('egresswatch_dns_lookup_duration_seconds histogram'));
  assert.ok(names.has('egresswatch_provider_error_budget_remaining_ratio gauge'));
  const providers = new Set([...text.matchAll(/^egresswatch_provider_reliability_score\{[^}]*provider="([^"]*)"/gm)].map((m) => m[1]));
  assert.equal(providers.size, 3, `two named providers and "other": ${[...providers]}`);
  assert.ok(providers.has('other'));
  const resolvers = new Set([...text.matchAll(/^egresswatch_dns_lookups_total\{[^}]*resolver="([^"]*)"/gm)].map((m) => m[1]));
  assert.deepEqual([...resolvers].sort(), ['10.0.0.2', '10.0.0.3', 'other']);
  assert.doesNotMatch(text, /^# evil/m, 'a provider id cannot inject exposition lines');
});

test('calls, failures by kind and error, resets, retransmits and lookups are counters fed as they are labelled', async (t) => {
  const now = Date.now();
  const srv = await startTestServer({ now });
  t.after(() => srv.close());
  const tcp = (event: TcpEvent['event'], extra: Partial<TcpEvent> = {}): TcpEvent => ({ type: 'tcp', ts: now, event, src: '10.0.0.1', sport: 40000, dst: '198.51.100.7', dport: 443, pid: 1, comm: 'app', ...extra });
  srv.metrics.traffic.ingestEvents(labelled([
    tcp('established', { latencyMs: 20 }), tcp('established', { latencyMs: 300 }), tcp('failed', { reason: 'refused' }), tcp('failed', { reason: 'timeout' }),
    tcp('reset'), tcp('retransmit'), tcp('retransmit', { syn: true }), tcp('connect'), tcp('close'),
  ]));
  srv.metrics.traffic.ingestEvents([{ event: { type: 'probe', probe: 'http', check: 'p7-api', target: 'https://api.p7.example/', ok: false, ts: now, phases: { totalMs: 5 }, attempts: 1, error: { kind: 'http_status', message: '503' } }, label: { ip: '198.51.100.7', provider: 'p7', service: 'api', source: 'config', confidence: 1 } }]);
  srv.metrics.traffic.ingestLookups([
    lookup({ ts: now, qname: 'api.p7.example', server: '10.0.0.53', latencyMs: 4 }),
    lookup({ ts: now, qname: 'gone.p7.example', server: '10.0.0.53', rcode: 'NXDOMAIN' }),
    lookup({ ts: now, qname: 'api.p7.example', server: '10.0.0.53', rcode: 'SERVFAIL' }),
    lookup({ ts: now, qname: 'api.p7.example', server: '10.0.0.53', timeout: true }),
  ]);
  const text = await (await fetch(`${srv.url}/metrics`)).text();
  const h = 'host="test-host"';
  assert.equal(sample(text, 'egresswatch_calls_total', `${h},provider="p7",service="api",kind="connect"`), 4, 'established and failed attempts; connect and close are no calls');
  assert.equal(sample(text, 'egresswatch_call_failures_total', `${h},provider="p7",service="api",kind="connect",error="refused"`), 1);
  assert.equal(sample(text, 'egresswatch_call_failures_total', `${h},provider="p7",service="api",kind="connect",error="timeout"`), 1);
  assert.equal(sample(text, 'egresswatch_calls_total', `${h},provider="p7",service="api",kind="check"`), 1);
  assert.equal(sample(text, 'egresswatch_call_failures_total', `${h},provider="p7",service="api",kind="check",error="http_status"`), 1);
  // Lookups count for the provider that owns the name; NXDOMAIN is an answer, not a failure.
  assert.equal(sample(text, 'egresswatch_calls_total', `${h},provider="p7",service="",kind="dns"`), 4);
  assert.equal(sample(text, 'egresswatch_call_failures_total', `${h},provider="p7",service="",kind="dns",error="servfail"`), 1);
  assert.equal(sample(text, 'egresswatch_call_failures_total', `${h},provider="p7",service="",kind="dns",error="timeout"`), 1);
  assert.doesNotMatch(text, /error="nxdomain"/);
  assert.equal(sample(text, 'egresswatch_tcp_resets_total', `${h},provider="p7"`), 1);
  assert.equal(sample(text, 'egresswatch_tcp_retransmits_total', `${h},provider="p7"`), 2);
  assert.equal(sample(text, 'egresswatch_connect_duration_seconds_bucket', `le="0.025",${h},provider="p7"`), 1);
  assert.equal(sample(text, 'egresswatch_connect_duration_seconds_bucket', `le="1",${h},provider="p7"`), 2);
  assert.equal(sample(text, 'egresswatch_connect_duration_seconds_sum', `${h},provider="p7"`), 0.32);
  for (const [result, n] of [['noerror', 1], ['nxdomain', 1], ['servfail', 1], ['timeout', 1]] as const) assert.equal(sample(text, 'egresswatch_dns_lookups_total', `${h},resolver="10.0.0.53",result="${result}"`), n);
  assert.equal(sample(text, 'egresswatch_dns_lookup_duration_seconds_count', `${h},resolver="10.0.0.53"`), 3, 'answered lookups only');
});

test('probe_* series per check, as blackbox_exporter names them; a removed check takes its series along', async (t) => {
  const srv = await startTestServer({ now: Date.now() });
  t.after(() => srv.close());
  const notAfter = Date.parse('2027-03-01T12:00:00Z');
  const https: ProbeResult = { type: 'probe', probe: 'http', check: 'stripe-api', target: 'https://api.stripe.example/v1', ok: true, ts: Date.now(), phases: { dnsMs: 2, connectMs: 10, tlsMs: 30, firstByteMs: 50, transferMs: 8, totalMs: 100 }, attempts: 1, status: 200, httpVersion: '2', ip: '2001:db8::1', tlsVersion: 'TLSv1.3', certExpiryDays: 87, certNotAfter: notAfter, provider: 'stripe' };
  const dns: ProbeResult = { type: 'probe', probe: 'dns', check: 'cluster-dns', target: 'kubernetes.default A @10.96.0.10', ok: false, ts: Date.now(), phases: { firstByteMs: 7, totalMs: 7 }, attempts: 1, rcode: 'SERVFAIL', answers: 0, ip: '10.96.0.10', error: { kind: 'assertion', message: 'rcode SERVFAIL' } };
  srv.metrics.observeProbe(https);
  srv.metrics.observeProbe(dns, 'internal');
  let text = await (await fetch(`${srv.url}/metrics`)).text();
  const a = 'host="test-host",check="stripe-api",provider="stripe",target="https://api.stripe.example/v1"';
  assert.equal(sample(text, 'probe_success', a), 1);
  assert.equal(sample(text, 'probe_duration_seconds', a), 0.1);
  for (const [phase, s] of [['resolve', 0.002], ['connect', 0.01], ['tls', 0.03], ['processing', 0.05], ['transfer', 0.008]] as const) assert.equal(sample(text, 'probe_http_duration_seconds', `${a},phase="${phase}"`), s);
  assert.equal(sample(text, 'probe_http_status_code', a), 200);
  assert.equal(sample(text, 'probe_http_version', a), 2);
  assert.equal(sample(text, 'probe_http_ssl', a), 1);
  assert.equal(sample(text, 'probe_ssl_earliest_cert_expiry', a), notAfter / 1000);
  assert.equal(sample(text, 'probe_tls_version_info', `${a},version="TLSv1.3"`), 1);
  assert.equal(sample(text, 'probe_dns_lookup_time_seconds', a), 0.002);
  assert.equal(sample(text, 'probe_ip_protocol', a), 6);
  const d = 'host="test-host",check="cluster-dns",provider="internal",target="kubernetes.default A @10.96.0.10"';
  assert.equal(sample(text, 'probe_success', d), 0);
  assert.equal(sample(text, 'probe_dns_lookup_time_seconds', d), 0.007);
  assert.equal(sample(text, 'probe_dns_answer_rrs', d), 0);
  assert.equal(sample(text, 'probe_ip_protocol', d), 4);
  assert.doesNotMatch(text, /probe_http_status_code\{[^}]*check="cluster-dns"/);
  // A later run negotiates TLS 1.2: one version series, not two.
  srv.metrics.observeProbe({ ...https, tlsVersion: 'TLSv1.2' });
  text = await (await fetch(`${srv.url}/metrics`)).text();
  assert.equal([...text.matchAll(/^probe_tls_version_info\{/gm)].length, 1);
  srv.metrics.forgetChecks(['stripe-api']);
  text = await (await fetch(`${srv.url}/metrics`)).text();
  assert.doesNotMatch(text, /^probe_\w+\{[^}]*check="stripe-api"/m);
  assert.match(text, /^probe_success\{[^}]*check="cluster-dns"/m);
  assert.equal(promtoolFindings(text), '');
});
