// The Prometheus and Grafana files shipped in deploy/: promtool accepts the scrape configuration
// and the rules, and the rules' own unit tests pass (burn-rate alerts fire for a failing provider,
// not for a healthy or a quiet one); loaded into a real Prometheus scraping an agent's /metrics,
// every rule evaluates without error and the SLI has the expected value; every query of the
// Grafana dashboard runs there, and its main panels show data.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TcpEvent } from '../../src/events.js';
import { labelled } from '../health/scenario-helpers.js';
import { repoRoot } from '../helpers/paths.js';
import { hasPrometheus, query, startPrometheus, waitFor } from '../helpers/prometheus.js';
import { snapshot } from '../helpers/status-snapshot.js';
import { startTestServer } from '../helpers/status-server.js';

const promDir = join(repoRoot, 'deploy', 'prometheus');
const rulesFile = join(promDir, 'egresswatch-rules.yml');
const dashboardFile = join(repoRoot, 'deploy', 'grafana', 'egresswatch-dashboard.json');

function promtool(...args: string[]): string {
  const r = spawnSync('promtool', args, { cwd: promDir, encoding: 'utf8' });
  if (r.error) throw new Error(`promtool: ${r.error.message} (scripts/install-system-packages.sh installs prometheus)`);
  assert.equal(r.status, 0, `promtool ${args.join(' ')}:\n${r.stdout}${r.stderr}`);
  return r.stdout + r.stderr;
}

test('promtool: the scrape configuration and the rules are valid, and the rules pass their unit tests', () => {
  assert.match(promtool('check', 'config', 'scrape.yml'), /SUCCESS: scrape\.yml is valid/);
  assert.match(promtool('check', 'rules', 'egresswatch-rules.yml'), /SUCCESS: \d+ rules found/);
  assert.match(promtool('test', 'rules', 'egresswatch-rules.test.yml'), /SUCCESS/);
});

interface Panel {
  type: string;
  title: string;
  gridPos: { h: number; w: number; x: number; y: number };
  targets?: Array<{ expr: string; refId: string }>;
}

interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: Array<{ name: string; type: string; query: string | { query: string } }> };
  annotations: { list: Array<{ expr?: string }> };
}

/** A dashboard query with its variables as Grafana fills them when "All" is chosen. */
function filled(expr: string): string {
  return expr.replace(/\$__rate_interval/g, '1m').replace(/\$\{?(host|cluster|provider|check|resolver)\}?/g, '.*');
}

test('in a real Prometheus scraping an agent: the rules evaluate, the SLI is right, and every dashboard query runs', { skip: !hasPrometheus && 'prometheus is not installed' }, async (t) => {
  const now = Date.now();
  const srv = await startTestServer({ now });
  t.after(() => srv.close());
  await srv.store.putSnapshot(snapshot([{ id: 'p7', state: 'major_outage' }], now));
  // Provider p7: connects that all succeed, a check that fails every run; DNS through one resolver.
  const feed = () => {
    const ts = Date.now();
    const tcp = (i: number): TcpEvent => ({ type: 'tcp', ts, event: 'established', latencyMs: 20 + i, src: '10.0.0.1', sport: 40000 + i, dst: '198.51.100.7', dport: 443, pid: 1, comm: 'app' });
    srv.metrics.traffic.ingestEvents(labelled([tcp(0), tcp(1), tcp(2)]));
    srv.metrics.traffic.ingestEvents([{ event: { type: 'probe', probe: 'http', check: 'p7-api', target: 'https://api.p7.example/', ok: false, ts, phases: { dnsMs: 1, connectMs: 2, tlsMs: 3, firstByteMs: 4, transferMs: 1, totalMs: 11 }, attempts: 1, status: 503, error: { kind: 'http_status', message: '503' } }, label: { ip: '198.51.100.7', provider: 'p7', service: 'api', source: 'config', confidence: 1 } }]);
    srv.metrics.observeProbe({ type: 'probe', probe: 'http', check: 'p7-api', target: 'https://api.p7.example/', ok: false, ts, phases: { dnsMs: 1, connectMs: 2, tlsMs: 3, firstByteMs: 4, transferMs: 1, totalMs: 11 }, attempts: 1, status: 503, certNotAfter: ts + 30 * 86_400_000, provider: 'p7' });
  };
  feed();
  // Traffic keeps coming while Prometheus scrapes, so that rate() has something to measure.
  const traffic = setInterval(feed, 100);
  t.after(() => clearInterval(traffic));

  const { base, log } = await startPrometheus(t, `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files:\n  - ${rulesFile}\nscrape_configs:\n  - job_name: egresswatch\n    static_configs:\n      - targets: ['127.0.0.1:${srv.port}']\n`);
  // Connects and check runs weigh the same: all connects fine, every check run failed → 0.5.
  const sli = await waitFor(base, 'provider:egresswatch_call_failures:ratio_rate5m', (r) => r.length > 0).catch((err: Error) => {
    throw new Error(`${err.message}; prometheus said: ${log().slice(-500)}`);
  });
  assert.deepEqual(sli.map((r) => [r.metric.provider, Number(r.value[1])]), [['p7', 0.5]]);
  const rules = (await (await fetch(`${base}/api/v1/rules`)).json()) as { data: { groups: Array<{ name: string; rules: Array<{ name: string; health: string; lastError?: string }> }> } };
  const all = rules.data.groups.flatMap((g) => g.rules);
  assert.ok(all.length >= 20, `${all.length} rules loaded`);
  for (const r of all) assert.equal(r.health === 'ok' || r.health === 'unknown', true, `${r.name}: ${r.health} ${r.lastError ?? ''}`);

  const dashboard = JSON.parse(readFileSync(dashboardFile, 'utf8')) as Dashboard;
  assert.equal(dashboard.uid, 'egresswatch');
  const names = dashboard.templating.list.map((v) => v.name);
  for (const v of ['datasource', 'host', 'provider', 'check', 'resolver']) assert.ok(names.includes(v), `variable ${v}`);
  const queries = dashboard.panels.flatMap((p) => (p.targets ?? []).map((q) => ({ panel: p.title, expr: q.expr })));
  assert.ok(queries.length >= 15, `${queries.length} queries`);
  for (const p of dashboard.panels) assert.ok(p.gridPos.x + p.gridPos.w <= 24, `${p.title} fits the 24-column grid`);
  for (const v of dashboard.templating.list) {
    if (v.type !== 'query') continue;
    // label_values(metric{…}, label) is Grafana's; its series selector must be valid PromQL.
    const q = typeof v.query === 'string' ? v.query : v.query.query;
    const m = /^label_values\((.+), (\w+)\)$/.exec(q);
    assert.ok(m, `${v.name}: ${q}`);
    await query(base, filled(m[1]));
  }
  for (const a of dashboard.annotations.list) if (a.expr) await query(base, filled(a.expr));
  // Every query runs; the panels about p7 and its check show data once rates have two samples.
  const empty: string[] = [];
  for (const { panel, expr } of queries) if ((await query(base, filled(expr))).length === 0) empty.push(`${panel}: ${expr}`);
  for (const needed of ['Provider state', 'Calls per second by provider and kind', 'Failures per second by error', 'Connect latency p50 and p99', 'Check success', 'HTTP phases', 'Days until a certificate expires']) {
    assert.ok(!empty.some((e) => e.startsWith(`${needed}:`)), `${needed} shows data; empty: ${empty.join('; ')}`);
  }
});
