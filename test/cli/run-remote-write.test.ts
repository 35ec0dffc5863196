// `egresswatch run` pushing its series with Prometheus remote write: a real Prometheus with its
// remote-write receiver gets the checks' probe_* series and the call counters under the agent's
// host label, with nothing scraped; an unreachable receiver costs one log line and a counter,
// and the agent keeps monitoring.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { uncompress } from 'snappyjs';
import { hasPrometheus, startPrometheus, waitFor } from '../helpers/prometheus.js';
import { logLine, startRun, stop } from '../helpers/run-process.js';
import { until } from '../helpers/until.js';

async function failingTarget(t: { after: (fn: () => unknown) => void }): Promise<number> {
  const target = createServer((_req, res) => {
    res.statusCode = 503;
    res.end('down');
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  t.after(() => target.close());
  return (target.address() as AddressInfo).port;
}

function config(dir: string, targetPort: number, url: string): string {
  const file = join(dir, 'config.yml');
  writeFileSync(file, `remoteWrite:\n  url: ${url}\n  interval: 1s\nchecks:\n  - {name: pushed-api, type: http, url: "http://127.0.0.1:${targetPort}/", interval: 1s, timeout: 900ms, provider: pushed}\nlabels:\n  aws: {enabled: false}\n`);
  return file;
}

test('remote write: Prometheus receives the probe series and counters under the host label, scraping nothing', { skip: !hasPrometheus && 'prometheus is not installed' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ewsrv-rw-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { base, log } = await startPrometheus(t, 'global:\n  scrape_interval: 1h\nscrape_configs: []\n', ['--web.enable-remote-write-receiver']);
  const targetPort = await failingTarget(t);
  const run = await startRun(['--config', config(dir, targetPort, `${base}/api/v1/write`), '--data', join(dir, 'data'), '--host', 'web-9'], { cwd: dir });
  t.after(() => run.child.kill('SIGKILL'));
  const failed = await waitFor(base, 'probe_success{check="pushed-api"}', (r) => r.length === 1).catch((err: Error) => {
    throw new Error(`${err.message}; prometheus: ${log().slice(-300)}; agent: ${JSON.stringify(run.lines.slice(-5))}`);
  });
  assert.deepEqual(failed[0].metric, { __name__: 'probe_success', host: 'web-9', check: 'pushed-api', provider: 'pushed', target: `http://127.0.0.1:${targetPort}/` });
  assert.equal(failed[0].value[1], '0');
  const status = await waitFor(base, 'probe_http_status_code{host="web-9"}', (r) => r.length === 1);
  assert.equal(status[0].value[1], '503');
  // Counters arrive as counters: two pushes a second apart give the check's run rate.
  const runs = await waitFor(base, 'sum(increase(egresswatch_check_runs_total{host="web-9",provider="pushed",result="failure"}[1m]))', (r) => r.length === 1 && Number(r[0].value[1]) >= 2);
  assert.ok(Number(runs[0].value[1]) >= 2);
  const pushes = await waitFor(base, 'egresswatch_remote_write_pushes_total{host="web-9"}', (r) => r.length === 1 && Number(r[0].value[1]) >= 1);
  assert.ok(Number(pushes[0].value[1]) >= 1);
  assert.equal(run.lines.filter((l) => l.msg.startsWith('remote write:')).length, 0, 'no push failed');
  assert.equal(await stop(run), 0);
});

test('remote write to a receiver that refuses: one log line, a failure counter, and the agent keeps monitoring', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ewsrv-rw-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const targetPort = await failingTarget(t);
  // An overloaded receiver: answers 503, and keeps what it was sent.
  const received: Array<{ headers: Record<string, string | string[] | undefined>; body: Buffer }> = [];
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks) });
      res.statusCode = 503;
      res.end('overloaded');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  t.after(() => receiver.close());
  const port = (receiver.address() as AddressInfo).port;
  const run = await startRun(['--config', config(dir, targetPort, `http://user:s%40cret@127.0.0.1:${port}/api/v1/write`), '--data', join(dir, 'data')], { cwd: dir });
  t.after(() => run.child.kill('SIGKILL'));
  const line = await logLine(run, (l) => l.msg.startsWith('remote write:'));
  assert.equal(line.level, 'warn');
  assert.equal(line.msg, `remote write: push to http://127.0.0.1:${port}/api/v1/write failed (HTTP 503: overloaded); retrying every 1 s`, 'credentials in the URL stay out of the log');
  // Credentials from the URL travel as basic authentication; the body is a snappy-compressed WriteRequest.
  const first = received[0];
  assert.equal(first.headers.authorization, `Basic ${Buffer.from('user:s@cret').toString('base64')}`);
  assert.equal(first.headers['content-encoding'], 'snappy');
  assert.equal(first.headers['content-type'], 'application/x-protobuf');
  assert.equal(first.headers['x-prometheus-remote-write-version'], '0.1.0');
  assert.match(Buffer.from(uncompress(first.body)).toString('latin1'), /__name__.{1,3}egresswatch_build_info/);
  // Pushes keep failing (counted), said once; the checks still run into /metrics.
  const metrics = await until(
    async () => (await fetch(`${run.url}metrics`)).text(),
    (text) => Number(/^egresswatch_remote_write_failures_total\{[^}]*\} (\d+)$/m.exec(text)?.[1] ?? 0) >= 3 && /^probe_success\{check="pushed-api",[^}]*\} 0$/m.test(text),
  );
  assert.match(metrics, /^egresswatch_remote_write_pushes_total\{[^}]*\} 0$/m);
  assert.equal(run.lines.filter((l) => l.msg.startsWith('remote write:')).length, 1);
  assert.equal(await stop(run), 0);
});
