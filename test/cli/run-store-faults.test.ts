// `egresswatch run` with its data directory on a small disk that fills up: /healthz and the page
// say the store is failing while the figures stay current, and both recover once space is back;
// the data directory it made is private (0700, files 0600).
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { statSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { isRoot } from '../helpers/paths.js';
import { startRun, stop } from '../helpers/run-process.js';
import { until } from '../helpers/until.js';
import { mountSmallDisk } from '../helpers/small-disk.js';

interface Health { status: string; checks: Record<string, Array<{ status: string; output: string }>> }

test('run on a disk that fills up: /healthz says store fail and the page names the fault; both clear when space is back', { skip: !isRoot && 'mounting a tmpfs needs root', timeout: 90_000 }, async (t) => {
  const disk = mountSmallDisk(4096);
  t.after(() => disk.remove());
  const sidecar = createServer((_q, r) => r.end('ok')).listen(0, '127.0.0.1');
  t.after(() => sidecar.close());
  await new Promise((r) => sidecar.once('listening', r));
  const port = (sidecar.address() as AddressInfo).port;
  const config = join(disk.dir, 'config.yml');
  writeFileSync(config, `store:\n  flushInterval: 1s\nlabels:\n  aws: {enabled: false}\nchecks:\n  - {name: sidecar, type: http, url: "http://127.0.0.1:${port}/health", interval: 1s, timeout: 900ms, provider: sidecar}\n`);
  const run = await startRun(['--config', config, '--data', join(disk.dir, 'data')], { cwd: disk.dir });
  t.after(() => run.child.kill('SIGKILL'));

  const health = async () => {
    const r = await fetch(`${run.url}healthz`);
    return { code: r.status, body: (await r.json()) as Health };
  };
  const runs = async () => ((await (await fetch(`${run.url}api/v1/providers`)).json()) as { providers: Array<{ id: string; total: number }> }).providers.find((p) => p.id === 'sidecar')?.total ?? 0;

  await until(runs, (n) => n > 0);
  disk.fill();
  const failing = await until(health, (h) => h.body.checks.store?.[0].status === 'fail');
  assert.equal(failing.code, 503);
  assert.equal(failing.body.status, 'fail');
  assert.match(failing.body.checks.store[0].output, /cannot write since .*ENOSPC.*kept in memory/);
  const page = await (await fetch(run.url)).text();
  assert.match(page, /Agent fault \(store\):<\/strong> cannot write since/);
  // Figures keep moving while nothing can be written.
  const before = await runs();
  await until(runs, (n) => n > before);

  disk.free();
  const recovered = await until(health, (h) => h.body.checks.store?.[0].status === 'pass');
  assert.notEqual(recovered.body.status, 'fail');
  assert.ok(run.lines.some((l) => /ENOSPC.*monitoring goes on from memory/.test(l.msg)), 'the failure is logged once, in one line');
  assert.ok(run.lines.some((l) => /store: writing again after \d+ s/.test(l.msg)));
  assert.equal(run.lines.filter((l) => /monitoring goes on from memory/.test(l.msg)).length, 1);
  assert.equal(await stop(run), 0);
  // What the agent wrote is its owner's alone.
  assert.equal(statSync(join(disk.dir, 'data')).mode & 0o777, 0o700);
  assert.equal(statSync(join(disk.dir, 'data', 'meta.json')).mode & 0o777, 0o600);
  assert.equal(statSync(join(disk.dir, 'data', 'rollups', 'minute')).mode & 0o777, 0o700);
});
