// `egresswatch run` as a real process: starts with no configuration, serves /healthz and the
// page, runs configured checks into /metrics, says once what is not monitored when it lacks
// capture privileges, and on SIGTERM flushes the store and exits 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRoot } from '../helpers/paths.js';
import { logLine, startRun, stop } from '../helpers/run-process.js';

test('starts with no configuration, serves /healthz and the page, and stops cleanly on SIGTERM', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ewsrv-run-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const run = await startRun(['--data', join(dir, 'data')], { cwd: dir });
  t.after(() => run.child.kill('SIGKILL'));
  assert.match(run.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  const health = await fetch(`${run.url}healthz`);
  assert.equal(health.headers.get('content-type'), 'application/health+json');
  const body = (await health.json()) as { status: string; checks: Record<string, unknown> };
  assert.ok(['pass', 'warn'].includes(body.status));
  assert.ok(body.checks.store && body.checks.server, 'store and server report in');
  const page = await fetch(run.url);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /No provider data yet|Providers/);
  assert.equal(await stop(run), 0);
  const last = run.lines.at(-1)!;
  assert.match(last.msg, /^stopped: store flushed/);
  assert.ok(existsSync(join(dir, 'data', 'meta.json')), 'the store wrote its files');
});

test('configured checks run into /metrics (every series named by --host) and the provider list, published with the first result (not at the first periodic tick, an hour away); the token comes from the configuration; SIGINT stops it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ewsrv-run-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const target = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  t.after(() => target.close());
  const port = (target.address() as AddressInfo).port;
  writeFileSync(join(dir, 'config.yml'), `checks:\n  - name: local-web\n    type: http\n    url: http://127.0.0.1:${port}/\n    interval: 1s\n    timeout: 900ms\n    provider: loopback-test\nserver:\n  token: a-long-enough-test-token\nstore:\n  flushInterval: 1h\nlabels:\n  aws:\n    enabled: false\n`);
  const run = await startRun(['--config', join(dir, 'config.yml'), '--data', join(dir, 'data'), '--host', 'web-7'], { cwd: dir });
  t.after(() => run.child.kill('SIGKILL'));
  let metrics = '';
  const ran = /egresswatch_check_runs_total\{provider="loopback-test",type="http",result="success",host="web-7"\} [1-9]/;
  for (let i = 0; i < 50 && !ran.test(metrics); i++) {
    await new Promise((r) => setTimeout(r, 100));
    metrics = await (await fetch(`${run.url}metrics`)).text();
  }
  assert.match(metrics, ran, '--host names every series');
  assert.match(metrics, new RegExp(`^probe_success\\{check="local-web",provider="loopback-test",target="http://127\\.0\\.0\\.1:${port}/",host="web-7"\\} 1$`, 'm'));
  assert.match(metrics, /^probe_http_status_code\{check="local-web",[^}]*\} 200$/m);
  // The extra tick after the first results publishes the provider of the check on the page and
  // in the API; the periodic one is an hour away.
  let providers: { id: string; total: number }[] = [];
  for (let i = 0; i < 200 && !providers.some((p) => p.id === 'loopback-test' && p.total > 0); i++) {
    await new Promise((r) => setTimeout(r, 100));
    providers = ((await (await fetch(`${run.url}api/v1/providers`)).json()) as { providers: { id: string; total: number }[] }).providers;
  }
  assert.ok(providers.some((p) => p.id === 'loopback-test' && p.total > 0), `provider listed: ${JSON.stringify(providers.map((p) => p.id))}`);
  const home = await (await fetch(run.url)).text();
  assert.match(home, /<tr data-provider="loopback-test">/);
  const denied = await fetch(`${run.url}api/v1/maintenance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  assert.equal(denied.status, 401, 'writes are on, so a missing token is 401 (not 403)');
  assert.equal(await stop(run, 'SIGINT'), 0, 'Ctrl-C stops it cleanly too');
  assert.match(run.lines.at(-1)!.msg, /^stopped: store flushed \(\d+ buckets in total\), capture detached, [1-9]\d* check runs/);
});

test('without capture privileges it still runs and says once what is not monitored', { skip: !isRoot && 'needs root to drop its capabilities' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ewsrv-run-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // Root with every capability dropped: still the owner of the checkout (which may sit in a
  // private directory, as a fresh clone in mktemp -d does), but unable to load eBPF programs.
  const prefix = ['setpriv', '--inh-caps=-all', '--bounding-set=-all', '--'];
  const run = await startRun(['--data', join(dir, 'data')], { cwd: dir, prefix });
  t.after(() => run.child.kill('SIGKILL'));
  // Capture gives up in the background; wait for its one line.
  for (let i = 0; i < 50 && !run.lines.some((l) => l.capture === 'unavailable'); i++) await new Promise((r) => setTimeout(r, 100));
  const warnings = run.lines.filter((l) => l.capture === 'unavailable');
  assert.equal(warnings.length, 1, 'said once');
  assert.equal(warnings[0].level, 'warn');
  assert.match(warnings[0].msg, /^capture unavailable: .+; checks and the status page run, but these are not monitored: passive DNS analysis/);
  const health = (await (await fetch(`${run.url}healthz`)).json()) as { status: string; checks: Record<string, { status: string; output: string }[]> };
  assert.equal(health.status, 'warn');
  assert.equal(health.checks.capture[0].status, 'warn');
  const page = await (await fetch(run.url)).text();
  assert.match(page, /id="monitoring-gaps"/);
  assert.match(page, /Capture unavailable/);
  assert.match(page, /not monitored: outbound TCP connect success/);
  const metrics = await (await fetch(`${run.url}metrics`)).text();
  assert.match(metrics, /^egresswatch_capture_live\{host="[^"]+"\} 0$/m);
  assert.equal(await stop(run), 0);
});

test('SIGHUP reloads the configuration: a new check runs, a removed one stops, an unchanged one keeps its schedule; a broken file is rejected and the running one stays', { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ewsrv-reload-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // Every request a check makes, by path, and a promise for "n more requests to this path".
  const hits = new Map<string, number>();
  const waiters: Array<{ path: string; n: number; resolve: () => void }> = [];
  const target = createServer((req, res) => {
    const path = req.url ?? '';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    for (const w of [...waiters]) if (w.path === path && (hits.get(path) ?? 0) >= w.n) waiters.splice(waiters.indexOf(w), 1) && w.resolve();
    res.end('ok');
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  t.after(() => target.close());
  const port = (target.address() as AddressInfo).port;
  const more = (path: string, n: number) => new Promise<void>((resolve) => waiters.push({ path, n: (hits.get(path) ?? 0) + n, resolve }));
  const check = (name: string, path: string) => `  - name: ${name}\n    type: http\n    url: http://127.0.0.1:${port}${path}\n    interval: 1s\n    timeout: 900ms\n`;
  const file = join(dir, 'config.yml');
  const tail = 'labels:\n  aws:\n    enabled: false\n';
  writeFileSync(file, `checks:\n${check('kept', '/kept')}${check('changed', '/v1')}${check('removed', '/removed')}${tail}`);
  const run = await startRun(['--config', file, '--data', join(dir, 'data')], { cwd: dir });
  t.after(() => run.child.kill('SIGKILL'));
  await Promise.all([more('/kept', 1), more('/v1', 1), more('/removed', 1)]);

  writeFileSync(file, `checks:\n${check('kept', '/kept')}${check('changed', '/v2')}${check('added', '/added')}${tail}store:\n  flushInterval: 2s\n`);
  run.child.kill('SIGHUP');
  const reloaded = await logLine(run, (l) => l.msg.startsWith('configuration reloaded'));
  assert.deepEqual([reloaded.added, reloaded.changed, reloaded.removed, reloaded.unchanged], [['added'], ['changed'], ['removed'], ['kept']]);
  assert.deepEqual(reloaded.restartNeeded, ['store'], 'sections that only apply at start are named');
  await Promise.all([more('/added', 1), more('/v2', 1)]);
  const removedRuns = hits.get('/removed');
  await Promise.all([more('/added', 3), more('/kept', 3)]);
  assert.equal(hits.get('/removed'), removedRuns, 'the removed check no longer runs');
  const v1 = hits.get('/v1');

  writeFileSync(file, 'checks:\n  - name: [broken\n');
  run.child.kill('SIGHUP');
  const rejected = await logLine(run, (l) => l.msg.startsWith('reload rejected'));
  assert.equal(rejected.level, 'error');
  assert.match(rejected.msg, /^reload rejected, the running configuration stays: .*config\.yml:\d+:\d+: invalid YAML/);
  await Promise.all([more('/added', 2), more('/v2', 2), more('/kept', 2)]);
  assert.equal(hits.get('/v1'), v1, 'the changed check runs its new definition only');
  assert.equal(await stop(run), 0);
  assert.match(run.lines.at(-1)!.msg, /^stopped: store flushed/);
});
