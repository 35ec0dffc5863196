// `egresswatch run` with live capture while the host contacts 3,000 distinct domains (real DNS
// answers on loopback, real connections into a namespace): providers known only by their domain
// stop at the configured limit, the rest is counted as "other" on the API and in /metrics, and the
// agent's memory is sampled from /proc while it happens.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startDomainNetwork } from '../helpers/many-domains.js';
import { isRoot } from '../helpers/paths.js';
import { logLine, startRun, stop } from '../helpers/run-process.js';
import { until } from '../helpers/until.js';

const DOMAINS = 3_000;
const LIMIT = 50;

const rssMiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

test('run while the host contacts 3,000 domains: 50 discovered providers, the rest counted as "other"', { skip: !isRoot && 'needs root for namespaces and live capture', timeout: 180_000 }, async (t) => {
  const net = await startDomainNetwork();
  t.after(() => net.close());
  const dir = mkdtempSync(join(tmpdir(), 'ew-domains-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'config.yml'), `capture:\n  dnsPorts: [${net.dnsPort}]\nstore:\n  flushInterval: 1s\n  maxDiscoveredProviders: ${LIMIT}\nlabels:\n  aws: {enabled: false}\n`);
  const run = await startRun(['--config', join(dir, 'config.yml'), '--data', join(dir, 'data')], { cwd: dir });
  t.after(() => run.child.kill('SIGKILL'));
  const pid = run.child.pid!;
  // Capture attaches after "ready": wait for it before the traffic.
  const capture = await logLine(run, (l) => l.msg.startsWith('capture'));
  assert.match(capture.msg, /^capture: live/);

  const samples: number[] = [rssMiB(pid)];
  const sampler = setInterval(() => samples.push(rssMiB(pid)), 500);
  t.after(() => clearInterval(sampler));
  const made = await net.contact(0, DOMAINS);
  assert.equal(made, DOMAINS);

  type Row = { id: string; total: number };
  const providers = async () => ((await (await fetch(`${run.url}api/v1/providers`)).json()) as { providers: Row[] }).providers;
  const seen = (rows: Row[]) => rows.filter((p) => p.id === 'other' || /^d\d+\.example$/.test(p.id)).reduce((n, p) => n + p.total, 0);
  const rows = await until(providers, (r) => seen(r) >= DOMAINS);
  clearInterval(sampler);
  const discovered = rows.filter((p) => /^d\d+\.example$/.test(p.id));
  assert.equal(discovered.length, LIMIT);
  const other = rows.find((p) => p.id === 'other');
  assert.equal(other?.total, DOMAINS - LIMIT, 'every folded connection is counted');
  const metrics = await (await fetch(`${run.url}metrics`)).text();
  assert.ok(Number(/^egresswatch_events_folded_total\{host="[^"]+"\} (\d+)/m.exec(metrics)?.[1]) >= DOMAINS - LIMIT);
  const health = (await (await fetch(`${run.url}healthz`)).json()) as { checks: Record<string, Array<{ output: string }>> };
  assert.match(health.checks.engine[0].output, /events beyond the limits on providers and endpoints counted as "other"/);
  t.diagnostic(`agent RSS: start ${samples[0].toFixed(0)} MiB, peak ${Math.max(...samples).toFixed(0)} MiB over ${samples.length} samples`);
  assert.equal(await stop(run), 0);
});
