// Benchmark: the fleet view at --hosts simulated hosts. Ten minutes of every host's series (calls
// and failures by provider and kind, provider state, score and budget, a probe per check, build
// info) are pushed into a real Prometheus with remote write; `egresswatch run --fleet` then reads
// it. Reported: how long one refresh of the fleet view takes (its queries' cost) and its query
// count, the fleet page and provider API latencies with wrk, and, side by side in the same run,
// the same page served by an agent from its local store for the same providers.
// Goal: fleet page under 1 s at 1,000 hosts.
// Usage: node dist/bench/fleet-scale.js [--hosts 1000] [--providers 20] [--checks 5] [--seconds 5]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { compress } from 'snappyjs';
import { encodeWriteRequest, type WriteSample } from '../src/server/remote-write.js';
import { snapshot } from '../test/helpers/status-snapshot.js';
import { startTestServer } from '../test/helpers/status-server.js';
import { freePort } from '../test/helpers/free-port.js';
import { startRun, stop } from '../test/helpers/run-process.js';

const { values } = parseArgs({ options: { hosts: { type: 'string', default: '1000' }, providers: { type: 'string', default: '20' }, checks: { type: 'string', default: '5' }, seconds: { type: 'string', default: '5' } } });
const HOSTS = Number(values.hosts);
const PROVIDERS = Number(values.providers);
const CHECKS = Number(values.checks);
const SECONDS = Number(values.seconds);
const STEP_S = 15;
const POINTS = 41; // ten minutes

function wrk(url: string, connections: number): Promise<{ rps: number; p50Ms: number; p99Ms: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', ['-t1', `-c${connections}`, `-d${SECONDS}s`, '--latency', url]);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`wrk: ${code}`));
      const ms = (p: string) => {
        const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s)`, 'm').exec(out);
        return m ? Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1) : NaN;
      };
      resolve({ rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]), p50Ms: ms('50'), p99Ms: ms('99') });
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'ew-fleet-bench-'));
const port = await freePort();
writeFileSync(join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 1h\nscrape_configs: []\n');
const prom = spawn('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${port}`, '--web.enable-remote-write-receiver', '--log.level=error'], { stdio: 'ignore' });
const base = `http://127.0.0.1:${port}`;
try {
  for (let i = 0; i < 100 && !(await fetch(`${base}/-/ready`).then((r) => r.ok, () => false)); i++) await new Promise((r) => setTimeout(r, 100));

  // Every host calls every provider: 10 connects/s and a check run every 10 s; provider p0 fails
  // from the first 5 % of hosts only (their network), p1 fails 20 % of checks from every host.
  const now = Date.now();
  const t0 = now - (POINTS - 1) * STEP_S * 1000;
  let series = 0;
  let samples = 0;
  const pushStart = performance.now();
  for (let h = 0; h < HOSTS; h++) {
    const host = `host-${String(h).padStart(4, '0')}`;
    const zone = `zone-${h % 3}`;
    const batch: WriteSample[] = [];
    const add = (name: string, labels: Record<string, string>, value: (i: number) => number) => {
      const l: Array<[string, string]> = [['__name__', name], ...Object.entries({ ...labels, host, instance: host, job: 'egresswatch' })];
      l.sort((a, b) => (a[0] < b[0] ? -1 : 1));
      series++;
      // One sample per WriteSample: the encoder writes one series per entry, so series repeat.
      for (let i = 0; i < POINTS; i++) batch.push({ labels: l, value: value(i), timestampMs: t0 + i * STEP_S * 1000 });
    };
    add('egresswatch_build_info', { version: '0.1.0', zone }, () => 1);
    for (let p = 0; p < PROVIDERS; p++) {
      const provider = `p${p}`;
      const failing = (p === 0 && h < HOSTS * 0.05);
      add('egresswatch_calls_total', { provider, service: 'api', kind: 'connect' }, (i) => i * STEP_S * 10);
      add('egresswatch_calls_total', { provider, service: 'api', kind: 'check' }, (i) => i * STEP_S / 10);
      add('egresswatch_call_failures_total', { provider, service: 'api', kind: 'connect', error: 'timeout' }, (i) => (failing ? i * STEP_S * 10 : 0));
      add('egresswatch_call_failures_total', { provider, service: 'api', kind: 'check', error: 'http_status' }, (i) => (failing ? i * STEP_S / 10 : p === 1 ? (i * STEP_S) / 50 : 0));
      add('egresswatch_provider_state', { provider }, () => (failing ? 3 : p === 1 ? 2 : 0));
      add('egresswatch_provider_reliability_score', { provider }, () => (failing ? 20 : p === 1 ? 60 : 100));
      add('egresswatch_provider_error_budget_remaining_ratio', { provider }, () => (failing ? 0 : 1));
    }
    for (let c = 0; c < CHECKS; c++) add('probe_success', { check: `check-${c}`, provider: `p${c % PROVIDERS}`, target: `https://api.p${c}.example/` }, () => (c === 0 && h < HOSTS * 0.05 ? 0 : 1));
    samples += batch.length;
    const res = await fetch(`${base}/api/v1/write`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', 'x-prometheus-remote-write-version': '0.1.0' }, body: compress(encodeWriteRequest(batch)) });
    if (!res.ok) throw new Error(`remote write: HTTP ${res.status}: ${await res.text()}`);
  }
  const pushMs = performance.now() - pushStart;

  const fleet = await startRun(['--fleet', '--prometheus-url', base, '--host', 'fleet'], { cwd: dir });
  try {
    let detail = '';
    for (let i = 0; i < 600 && !/this refresh/.test(detail); i++) {
      const health = (await (await fetch(`${fleet.url}healthz`)).json()) as { checks: Record<string, Array<{ output?: string; status: string }>> };
      detail = health.checks.fleet?.[0]?.output ?? '';
      if (!/this refresh/.test(detail)) await new Promise((r) => setTimeout(r, 200));
    }
    // The default refresh is every 15 s: wait for the next one, timed on its own (no wrk running).
    const firstDetail = detail;
    for (let i = 0; i < 200 && detail === firstDetail; i++) {
      await new Promise((r) => setTimeout(r, 200));
      const health = (await (await fetch(`${fleet.url}healthz`)).json()) as { checks: Record<string, Array<{ output?: string }>> };
      detail = health.checks.fleet?.[0]?.output ?? '';
    }
    const providers = ((await (await fetch(`${fleet.url}api/v1/providers`)).json()) as { providers: Array<{ id: string; state: string }> }).providers;
    const p0 = (await (await fetch(`${fleet.url}api/v1/providers/p0`)).json()) as { state: string; incidents: unknown[]; affected: { hosts: Array<{ value: string; failureRatio: number }> } };
    const fleetFigures = {
      refresh: detail,
      pageSerial: await wrk(`${fleet.url}`, 1), page10: await wrk(`${fleet.url}`, 10),
      providersApi: await wrk(`${fleet.url}api/v1/providers`, 1), providerPage: await wrk(`${fleet.url}providers/p0`, 1),
      providers: providers.length, p0State: p0.state, p0HostsListed: p0.affected.hosts.length, p0FailingListed: p0.affected.hosts.filter((h) => h.failureRatio > 0.5).length,
      p1State: providers.find((p) => p.id === 'p1')?.state,
    };
    // The same page from an agent's local store, same providers, same run.
    const local = await startTestServer({ now: Date.now() });
    await local.store.putSnapshot(snapshot(Array.from({ length: PROVIDERS }, (_, i) => ({ id: `p${i}` })), Date.now()));
    const localFigures = { pageSerial: await wrk(`${local.url}/`, 1), page10: await wrk(`${local.url}/`, 10), providersApi: await wrk(`${local.url}/api/v1/providers`, 1) };
    await local.close();
    console.log(JSON.stringify({ benchmark: 'fleet-scale', hosts: HOSTS, providers: PROVIDERS, checks: CHECKS, seriesPushed: series, samplesPushed: samples, pushSeconds: Math.round(pushMs / 100) / 10, fleet: fleetFigures, localStore: localFigures, goal: 'fleet page under 1 s at 1,000 hosts', loadAverage: loadavg() }, null, 2));
  } finally {
    await stop(fleet);
  }
} finally {
  prom.kill('SIGTERM');
  await new Promise((r) => prom.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
}
