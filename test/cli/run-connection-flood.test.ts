// `egresswatch run` under a flood of 20,000 connections to its status server that never send a
// request (from four loopback addresses, in child processes so no one process runs out of
// descriptors): the page stays reachable, the checks keep passing (nothing is blamed on a
// provider), and /metrics counts the refused connections.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startRun, stop } from '../helpers/run-process.js';
import { until } from '../helpers/until.js';

const PER_CLIENT = 5_000;
const CLIENTS = ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'];

/** A child that opens `count` connections from `from` (200 at a time), keeps those the server keeps, and reports. */
function flood(port: number, from: string, count: number): Promise<{ opened: number; closedByServer: number }> {
  const script = `
    const net = require('node:net');
    let started = 0, opened = 0, closedByServer = 0, done = 0;
    const next = () => {
      if (started >= ${count}) return;
      started++;
      const s = net.connect({ port: ${port}, host: '127.0.0.1', localAddress: '${from}' });
      s.on('connect', () => { opened++; next(); });
      s.on('error', () => {});
      s.on('close', () => { closedByServer++; if (++done === ${count}) finish(); });
      s.on('connect', () => { if (opened === ${count}) setImmediate(finish); });
    };
    let finished = false;
    const finish = () => { if (finished) return; finished = true; process.stdout.write(JSON.stringify({ opened, closedByServer })); process.exit(0); };
    for (let i = 0; i < 200; i++) next();`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as { opened: number; closedByServer: number }) : reject(new Error(`flood child exited ${code}`))));
  });
}

test('run under 20,000 idle connections: the page answers, checks keep passing, refusals are counted', { timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ew-flood-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const sidecar = createServer((_q, r) => r.end('ok')).listen(0, '127.0.0.1');
  t.after(() => sidecar.close());
  await new Promise((r) => sidecar.once('listening', r));
  const port = (sidecar.address() as AddressInfo).port;
  writeFileSync(join(dir, 'config.yml'), `store:\n  flushInterval: 1s\nlabels:\n  aws: {enabled: false}\nchecks:\n  - {name: sidecar, type: http, url: "http://127.0.0.1:${port}/health", interval: 1s, timeout: 900ms, provider: sidecar}\n`);
  const run = await startRun(['--config', join(dir, 'config.yml'), '--data', join(dir, 'data')], { cwd: dir });
  t.after(() => run.child.kill('SIGKILL'));
  const agentPort = Number(new URL(run.url).port);
  const sidecarRow = async () => ((await (await fetch(`${run.url}api/v1/providers`)).json()) as { providers: Array<{ id: string; total: number; failed: number }> }).providers.find((p) => p.id === 'sidecar');
  const before = await until(sidecarRow, (p) => (p?.total ?? 0) > 0);

  const floods = CLIENTS.map((from) => flood(agentPort, from, PER_CLIENT));
  // While the flood runs, the page is served to this client.
  const health = await fetch(`${run.url}healthz`);
  assert.equal(health.status, 200);
  const results = await Promise.all(floods);
  const opened = results.reduce((n, r) => n + r.opened, 0);
  assert.ok(opened > 0);

  const metrics = await (await fetch(`${run.url}metrics`)).text();
  const refused = Number(/egresswatch_http_connections_refused_total\{limit="per_client",host="[^"]+"\} (\d+)/.exec(metrics)?.[1] ?? 0);
  assert.ok(refused >= 0.95 * CLIENTS.length * PER_CLIENT, `per-client refusals counted (${refused} of ${CLIENTS.length * PER_CLIENT})`);
  assert.doesNotMatch(metrics, /egresswatch_check_runs_total\{[^}]*result="(failure|agent_fault)"[^}]*\} [1-9]/, 'no check run failed');
  // Checks went on during the flood, and none failed.
  const after = await until(sidecarRow, (p) => (p?.total ?? 0) > (before?.total ?? 0) + 2);
  assert.equal(after?.failed, 0);
  assert.equal(await stop(run), 0);
});
