// The fleet view end to end: three agents (separate processes, hosts host-a, host-b and host-c,
// each with its own check and live capture) scraped by a real Prometheus that loads the shipped
// rules and alerts a real Alertmanager; a fleet instance (run --fleet) reads Prometheus. A
// provider that fails from host-b only is shown degraded, not down, with the failure attributed
// to host-b; the rules' burn-rate alert fires in Prometheus and reaches Alertmanager.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startAlertmanager } from '../alert/alertmanager-process.js';
import { repoRoot } from '../helpers/paths.js';
import { hasPrometheus, query, startPrometheus, waitFor } from '../helpers/prometheus.js';
import { startRun, stop, type Running } from '../helpers/run-process.js';
import { until } from '../helpers/until.js';

interface SloJson { slo: string; attained: number | null; budgetRemaining: number | null; budgetSpent: number | null; burnRates: Record<string, number | null>; signals: Record<string, number> }
interface ProviderJson { id: string; state: string; maintenance?: Array<{ reason: string }>; slos?: SloJson[]; errorBudgetRemaining?: number | null; phases?: Record<string, Array<{ p50Ms: number | null }>>; affected?: { hosts: Array<{ value: string; failed: number; total: number }>; zones?: Array<{ value: string; failed: number; total: number }>; clusters?: Array<{ value: string; failed: number; total: number }> }; incidents?: Array<{ id: string; title: string; openedAt: string; notes?: Array<{ text: string }>; alerts: string[]; timeline: Array<{ kind: string; text: string }>; attribution: { scope: string; targets: string[]; reason: string } | null }> }

test('three agents, one Prometheus with the shipped rules and an Alertmanager, and the fleet view: a failure on one host is that host\'s', { skip: !hasPrometheus && 'prometheus is not installed', timeout: 180_000 }, async (t) => {
  const startedAt = Date.now();
  // The shared provider answers 503 to host-b's check only.
  const target = createServer((req, res) => {
    res.statusCode = req.url === '/host-b' ? 503 : 200;
    res.end();
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  t.after(() => target.close());
  const targetPort = (target.address() as AddressInfo).port;
  const dir = mkdtempSync(join(tmpdir(), 'ewsrv-fleet-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));

  const agents: Running[] = [];
  for (const host of ['host-a', 'host-b', 'host-c']) {
    writeFileSync(join(dir, `${host}.yml`), `identity:\n  cluster: test\n  zone: zone-${host === 'host-c' ? '2' : '1'}\nchecks:\n  - {name: shared-api, type: http, url: "http://127.0.0.1:${targetPort}/${host}", interval: 1s, timeout: 900ms, provider: shared}\nlabels:\n  aws: {enabled: false}\n`);
    const run = await startRun(['--config', join(dir, `${host}.yml`), '--data', join(dir, host), '--host', host], { cwd: dir });
    t.after(() => run.child.kill('SIGKILL'));
    agents.push(run);
  }
  const am = await startAlertmanager();
  t.after(() => am.stop());
  const targets = agents.map((a) => `'${new URL(a.url).host}'`).join(', ');
  const prom = await startPrometheus(t, `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files:\n  - ${join(repoRoot, 'deploy', 'prometheus', 'egresswatch-rules.yml')}\nalerting:\n  alertmanagers:\n    - static_configs:\n        - targets: ['${new URL(am.url).host}']\nscrape_configs:\n  - job_name: egresswatch\n    static_configs:\n      - targets: [${targets}]\n`);
  writeFileSync(join(dir, 'fleet.yml'), `fleet:\n  prometheusUrl: ${prom.base}\n  refreshInterval: 1s\nserver:\n  token: fleet-token-0123456789\n`);
  const startFleet = async () => {
    const run = await startRun(['--config', join(dir, 'fleet.yml'), '--fleet', '--host', 'fleet-view', '--data', join(dir, 'fleet-data')], { cwd: dir });
    t.after(() => run.child.kill('SIGKILL'));
    return run;
  };
  let fleet = await startFleet();

  // The fleet's provider list: "shared", seen from three hosts, host-b failing every call.
  const shared = await until(
    async () => (await (await fetch(`${fleet.url}api/v1/providers/shared`)).json().catch(() => ({}))) as ProviderJson,
    (p) => (p.affected?.hosts.length ?? 0) === 3 && (p.affected?.hosts.find((h) => h.value === 'host-b')?.failed ?? 0) >= 5 && (p.affected?.hosts.filter((h) => h.total >= 5).length ?? 0) === 3,
  );
  const hosts = Object.fromEntries(shared.affected!.hosts.map((h) => [h.value, h.failed / h.total]));
  assert.equal(hosts['host-b'], 1);
  assert.equal(hosts['host-a'], 0);
  assert.equal(hosts['host-c'], 0);
  assert.equal(shared.state, 'degraded', 'it serves two hosts of three: degraded, not an outage');
  // Drill-down by zone and cluster: host-b's zone-1 (shared with host-a) fails half its calls.
  const sumOf = (rows: Array<{ value: string; failed: number; total: number }>, names: string[]) => rows.filter((h) => names.includes(h.value)).reduce((a, h) => ({ failed: a.failed + h.failed, total: a.total + h.total }), { failed: 0, total: 0 });
  assert.deepEqual(shared.affected!.zones!.map((z) => z.value), ['zone-1', 'zone-2']);
  assert.deepEqual(({ ...shared.affected!.zones![0] }), { value: 'zone-1', ...sumOf(shared.affected!.hosts, ['host-a', 'host-b']), failureRatio: shared.affected!.zones![0].failed / shared.affected!.zones![0].total });
  assert.equal(shared.affected!.zones![1].failed, 0);
  assert.deepEqual(shared.affected!.clusters!.map((c) => [c.value, c.failed, c.total]), [['test', ...Object.values(sumOf(shared.affected!.hosts, ['host-a', 'host-b', 'host-c']))]]);

  // The rules' burn-rate alert fires in Prometheus and reaches Alertmanager.
  const alerts = await waitFor(prom.base, 'ALERTS{alertname="EgresswatchAvailabilityBudgetBurn", alertstate="firing", provider="shared"}', (r) => r.length > 0);
  assert.ok(alerts.some((a) => a.metric.severity === 'page' && a.metric.long_window === '1h'));
  const inAlertmanager = await until(async () => (await (await fetch(`${am.url}/api/v2/alerts`)).json()) as Array<{ labels: Record<string, string> }>, (list) => list.some((a) => a.labels.alertname === 'EgresswatchAvailabilityBudgetBurn' && a.labels.provider === 'shared'));
  assert.ok(inAlertmanager.length > 0);

  // The fleet view's incident: the alert, attributed to host-b.
  const withIncident = await until(
    async () => (await (await fetch(`${fleet.url}api/v1/providers/shared`)).json()) as ProviderJson,
    (p) => (p.incidents?.length ?? 0) > 0,
  );
  const incident = withIncident.incidents![0];
  assert.equal(incident.attribution?.scope, 'host');
  assert.deepEqual(incident.attribution?.targets, ['host-b']);
  assert.match(incident.attribution!.reason, /^only host host-b fail to reach shared; other hosts succeed$/);
  assert.match(incident.title, /^shared: EgresswatchAvailabilityBudgetBurn firing in Prometheus on host-b only$/);
  // The SLOs pooled over the hosts: a third of the check runs fail (host-b's), so the 99.9 %
  // availability objective is far missed and the recorded 5-minute ratio burns at about 333x.
  const availability = withIncident.slos?.find((x) => x.slo === 'availability');
  assert.ok(availability && availability.attained !== null && availability.attained > 0.55 && availability.attained < 0.8, JSON.stringify(availability));
  assert.equal(availability.budgetRemaining, 0);
  assert.equal(withIncident.errorBudgetRemaining, 0);
  assert.ok(availability.budgetSpent! > 200, JSON.stringify(availability));
  assert.deepEqual(Object.keys(availability.burnRates).sort(), ['1h', '30m', '3d', '5m', '6h']);
  assert.ok(availability.burnRates['5m']! > 200 && availability.burnRates['5m']! < 450, JSON.stringify(availability.burnRates));
  assert.ok(availability.signals.checkRuns > 0 && availability.signals.connects === 0, JSON.stringify(availability.signals));
  // Loopback connects are not calls: the latency SLO has nothing timed.
  assert.equal(withIncident.slos?.find((x) => x.slo === 'latency')?.attained, null);
  // Opened when the alert became active in Prometheus (ALERTS_FOR_STATE), not when the fleet looked.
  const openedAt = Date.parse(incident.openedAt);
  assert.ok(openedAt >= startedAt - 1000 && openedAt <= Date.now(), incident.openedAt);
  assert.equal(openedAt % 1000, 0, 'Prometheus keeps whole seconds');
  // The provider page's phase chart: the checks' HTTP phases, over the hosts.
  assert.ok((withIncident.phases?.connect.length ?? 0) > 0 && withIncident.phases!.connect.every((x) => x.p50Ms !== null && x.p50Ms >= 0));
  const providerPage = await (await fetch(`${fleet.url}providers/shared`)).text();
  assert.match(providerPage, /id="phase-data"/);
  assert.match(providerPage, /<tr><td>zone<\/td><td>zone-1<\/td>/);
  assert.match(providerPage, /<tr><td>cluster<\/td><td>test<\/td>/);
  assert.match(providerPage, /<span class="burn">5m: \d+\.\d\d<\/span>/);
  const page = await (await fetch(fleet.url)).text();
  assert.match(page, /<tr data-provider="shared">/);
  assert.match(page, /only host host-b fail to reach shared/);
  const health = await fetch(`${fleet.url}healthz`);
  assert.equal(((await health.json()) as { checks: Record<string, Array<{ status: string; output: string }>> }).checks.fleet[0].status, 'pass');
  // What Prometheus holds is every host's, under its own host label.
  const perHost = await query(prom.base, 'count by (host) (probe_success{check="shared-api"})');
  assert.deepEqual(perHost.map((r) => r.metric.host).sort(), ['host-a', 'host-b', 'host-c']);

  // What operators write is the fleet's own: a note survives the refreshes that rebuild the
  // incident, a maintenance window shows on the provider, and both survive a restart.
  const write = (path: string, body: unknown) => fetch(`${fleet.url}${path}`, { method: 'POST', headers: { authorization: 'Bearer fleet-token-0123456789', 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assert.equal((await write(`api/v1/incidents/${encodeURIComponent(incident.id)}/notes`, { text: 'host-b routes through the old NAT' })).status, 201);
  assert.equal((await write('api/v1/maintenance', { scope: 'shared', endsAt: new Date(Date.now() + 3_600_000).toISOString(), reason: 'vendor upgrade' })).status, 201);
  // The fleet stage's line counts the queries made: each refresh makes the same number.
  const queriesMade = async () => Number(/(\d+) queries so far/.exec(((await (await fetch(`${fleet.url}healthz`)).json()) as { checks: Record<string, Array<{ output: string }>> }).checks.fleet[0].output)?.[1] ?? 0);
  const providerJson = async () => (await (await fetch(`${fleet.url}api/v1/providers/shared`)).json()) as ProviderJson;
  const noted = (p: ProviderJson) => p.incidents?.[0]?.id === incident.id && p.incidents[0].notes?.some((n) => n.text === 'host-b routes through the old NAT') === true && p.maintenance?.some((m) => m.reason === 'vendor upgrade') === true;
  // Three refreshes later, the note is still there.
  let last = await queriesMade();
  let increases = 0;
  await until(queriesMade, (n) => {
    if (n > last) increases++;
    last = n;
    return increases >= 3;
  });
  const later = await providerJson();
  assert.ok(noted(later), JSON.stringify(later.incidents));
  // Every alert firing, those that began after the incident opened too, is in its timeline.
  for (const alert of later.incidents![0].alerts) {
    assert.ok(later.incidents![0].timeline.some((e) => e.kind === 'alert_firing' && e.text.startsWith(alert.split('|')[0])), `${alert} in ${JSON.stringify(later.incidents![0].timeline)}`);
  }
  assert.equal(await stop(fleet), 0);
  fleet = await startFleet();
  const restarted = await until(providerJson, (p) => (p.incidents?.length ?? 0) > 0);
  assert.ok(noted(restarted), JSON.stringify(restarted.incidents));

  assert.equal(await stop(fleet), 0);
  for (const a of agents) assert.equal(await stop(a), 0);
});
