// `egresswatch run` exporting its metrics with OTLP/HTTP to a receiver on loopback: the same
// names, counters as monotonic cumulative sums, gauges as gauges, the host identity as the
// resource; histograms keep their buckets; a receiver that refuses is said once and counted.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Histogram, Registry } from 'prom-client';
import { metricDataOf } from '../../src/server/otlp-export.js';
import { logLine, startRun, stop } from '../helpers/run-process.js';
import { until } from '../helpers/until.js';

interface OtlpAttribute { key: string; value: { stringValue?: string } }
interface OtlpPoint { attributes: OtlpAttribute[]; asDouble?: number; asInt?: string | number }
interface OtlpMetric { name: string; unit?: string; sum?: { dataPoints: OtlpPoint[]; aggregationTemporality: number; isMonotonic: boolean }; gauge?: { dataPoints: OtlpPoint[] } }
interface OtlpBody { resourceMetrics: Array<{ resource: { attributes: OtlpAttribute[] }; scopeMetrics: Array<{ scope: { name: string }; metrics: OtlpMetric[] }> }> }

const attrs = (list: OtlpAttribute[]) => Object.fromEntries(list.map((a) => [a.key, a.value.stringValue]));
const valueOf = (p: OtlpPoint) => p.asDouble ?? Number(p.asInt);

async function receiver(t: { after: (fn: () => unknown) => void }, status = 200) {
  const bodies: Array<{ contentType?: string; body: OtlpBody | null }> = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      bodies.push({ contentType: req.headers['content-type'], body: req.url === '/v1/metrics' ? (JSON.parse(text) as OtlpBody) : null });
      res.statusCode = status;
      res.setHeader('content-type', 'application/json');
      res.end(status === 200 ? '{}' : '{"message":"overloaded"}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/metrics`, bodies };
}

async function target(t: { after: (fn: () => unknown) => void }): Promise<number> {
  const s = createServer((_q, r) => { r.statusCode = 503; r.end(); });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  t.after(() => s.close());
  return (s.address() as AddressInfo).port;
}

function startAgent(t: { after: (fn: () => unknown) => void }, url: string, targetPort: number) {
  const dir = mkdtempSync(join(tmpdir(), 'ewsrv-otlp-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'config.yml'), `identity:\n  cluster: prod-eu\notlp:\n  url: ${url}\n  interval: 1s\nchecks:\n  - {name: otlp-api, type: http, url: "http://127.0.0.1:${targetPort}/", interval: 1s, timeout: 900ms, provider: otlp-provider}\nlabels:\n  aws: {enabled: false}\n`);
  return startRun(['--config', join(dir, 'config.yml'), '--data', join(dir, 'data'), '--host', 'web-5'], { cwd: dir });
}

test('OTLP/HTTP: the checks and counters reach the receiver under the same names, the host as the resource', async (t) => {
  const rx = await receiver(t);
  const run = await startAgent(t, rx.url, await target(t));
  t.after(() => run.child.kill('SIGKILL'));
  const metricsOf = (b: OtlpBody) => b.resourceMetrics.flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics));
  const find = (name: string) => rx.bodies.map((b) => b.body && metricsOf(b.body).find((m) => m.name === name)).filter((m) => m !== undefined).at(-1);
  await until(async () => find('egresswatch_check_runs_total'), (m) => m?.sum?.dataPoints.some((p) => valueOf(p) >= 2) ?? false);
  const first = rx.bodies[0];
  assert.equal(first.contentType, 'application/json');
  const resource = attrs(first.body!.resourceMetrics[0].resource.attributes);
  assert.equal(resource['host.name'], 'web-5');
  assert.equal(resource['k8s.cluster.name'], 'prod-eu');
  assert.equal(resource['service.name'], 'egresswatch');
  const runs = find('egresswatch_check_runs_total')!;
  assert.equal(runs.sum!.isMonotonic, true);
  assert.equal(runs.sum!.aggregationTemporality, 2, 'cumulative (OTLP enum value 2)');
  const failed = runs.sum!.dataPoints.find((p) => attrs(p.attributes).result === 'failure')!;
  assert.deepEqual(attrs(failed.attributes), { provider: 'otlp-provider', type: 'http', result: 'failure' }, 'the identity is the resource, not a point attribute');
  const success = find('probe_success')!;
  assert.ok(success.gauge, 'a gauge');
  assert.deepEqual(success.gauge!.dataPoints.map((p) => [attrs(p.attributes).check, valueOf(p)]), [['otlp-api', 0]]);
  assert.equal(find('probe_duration_seconds')!.unit, 's');
  assert.equal(await stop(run), 0);
});

test('an OTLP receiver that refuses: one log line, a failure counter, and the agent goes on', async (t) => {
  const rx = await receiver(t, 503);
  const run = await startAgent(t, rx.url, await target(t));
  t.after(() => run.child.kill('SIGKILL'));
  const line = await logLine(run, (l) => l.msg.startsWith('otlp:'));
  assert.equal(line.level, 'warn');
  assert.match(line.msg, new RegExp(`^otlp: export to ${rx.url.replace(/[.]/g, '\\.')} failed \\(.+\\); retrying every 1 s$`));
  const text = await until(async () => (await fetch(`${run.url}metrics`)).text(), (m) => Number(/^egresswatch_otlp_failures_total\{[^}]*\} (\d+)$/m.exec(m)?.[1] ?? 0) >= 2);
  assert.match(text, /^probe_success\{check="otlp-api",[^}]*\} 0$/m);
  assert.equal(run.lines.filter((l) => l.msg.startsWith('otlp:')).length, 1);
  assert.equal(await stop(run), 0);
});

test('histograms become explicit-bucket histograms: counts per bucket, the last above every boundary', async () => {
  const registry = new Registry();
  registry.setDefaultLabels({ host: 'h' });
  const h = new Histogram({ name: 'x_seconds', help: 'x', labelNames: ['provider'], buckets: [0.01, 0.1, 1], registers: [registry] });
  for (const v of [0.005, 0.05, 0.05, 0.5, 5]) h.observe({ provider: 'p' }, v);
  const [data] = metricDataOf(await registry.getMetricsAsJSON(), 0, 1000) as Array<{ dataPointType: number; descriptor: { unit: string }; dataPoints: Array<{ attributes: object; value: { buckets: { boundaries: number[]; counts: number[] }; sum: number; count: number } }> }>;
  assert.equal(data.dataPointType, 0);
  assert.equal(data.descriptor.unit, 's');
  assert.deepEqual(data.dataPoints.map((p) => [p.attributes, p.value.buckets, p.value.count]), [[{ provider: 'p' }, { boundaries: [0.01, 0.1, 1], counts: [1, 2, 1, 1] }, 5]]);
  assert.ok(Math.abs(data.dataPoints[0].value.sum - 5.605) < 1e-9);
});
