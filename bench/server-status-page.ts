// Benchmark: the status server with 500 endpoints (50 providers) and 400 days of day rollups in
// the lowdb store. Measures GET /, /api/v1/providers, /metrics, a provider page and a health
// document with wrk (one connection: per-request latency; ten: throughput), the in-process
// render time, and as peers in the same run: a bare node:http reply (the floor of any handler
// here) and Prometheus's own /metrics (a Go exporter) with the same wrk settings.
// Usage: node dist/bench/server-status-page.js [--seconds 5] [--providers 50] [--endpoints 500] [--days 400]
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { StatusServer } from '../src/server/http-server.js';
import { MetricsExporter } from '../src/server/metrics.js';
import { renderStatusPage } from '../src/server/pages/status-page.js';
import type { ServerSources } from '../src/server/status-sources.js';
import { LowdbStore } from '../src/store/lowdb-store.js';
import { seriesKey, type Bucket } from '../src/store/store.js';
import { dnsFinding, dnsSnapshot, incident, resolver, snapshot } from '../test/helpers/status-snapshot.js';
import { monitoringStatus } from '../test/helpers/status-server.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '5' }, providers: { type: 'string', default: '50' }, endpoints: { type: 'string', default: '500' }, days: { type: 'string', default: '400' } } });
const seconds = Math.max(1, Number(values.seconds));
const providerCount = Number(values.providers);
const endpointCount = Number(values.endpoints);
const days = Number(values.days);
const DAY = 86_400_000;

interface WrkFigures {
  requestsPerSec: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  errors: number;
}

function toMs(text: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim());
  if (!m) return NaN;
  const v = Number(m[1]);
  return m[2] === 'us' ? v / 1000 : m[2] === 'ms' ? v : m[2] === 's' ? v * 1000 : v * 60_000;
}

/** Runs wrk without blocking: the servers measured live in this very process. */
async function wrk(url: string, connections: number): Promise<WrkFigures> {
  const child = spawn('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', url], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  if (code !== 0) throw new Error(`wrk failed: ${err}`);
  const pct = (p: string) => toMs(new RegExp(`^\\s+${p}%\\s+(\\S+)`, 'm').exec(out)?.[1] ?? '');
  const errors = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    requestsPerSec: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]),
    p50Ms: pct('50'), p90Ms: pct('90'), p99Ms: pct('99'),
    errors: (errors ? Number(errors[1]) : 0) + (socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0),
  };
}

async function measure(url: string): Promise<{ serial: WrkFigures; concurrent10: WrkFigures }> {
  return { serial: await wrk(url, 1), concurrent10: await wrk(url, 10) };
}

async function freePort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** 400 days of day buckets for every endpoint and provider, as the store keeps them. */
function dayBuckets(providerIds: string[], endpointsPer: number, now: number): Bucket[] {
  const today = Math.floor(now / DAY) * DAY;
  const out: Bucket[] = [];
  for (let d = 0; d < days; d++) {
    const start = today - d * DAY;
    for (const p of providerIds) {
      out.push({ key: seriesKey({ scope: 'provider', provider: p }), level: 'day', start, counters: { probeTotal: 1440 * endpointsPer, probeFailed: d % 17 }, latency: {} });
      for (let e = 0; e < endpointsPer; e++) {
        out.push({ key: seriesKey({ scope: 'endpoint', provider: p, value: `${p}|api-${e}.${p}.example:443` }), level: 'day', start, counters: { probeTotal: 1440, probeFailed: d % 29 === 0 ? 3 : 0, tcpAttempts: 5000, tcpFailed: 1 }, latency: {} });
      }
    }
  }
  return out;
}

async function main(): Promise<void> {
  const now = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'ewsrv-bench-'));
  const children: ChildProcess[] = [];
  const servers: Server[] = [];
  try {
    const store = new LowdbStore({ dir: join(dir, 'store') });
    await store.open();
    const endpointsPer = Math.round(endpointCount / providerCount);
    const specs = Array.from({ length: providerCount }, (_, i) => ({ id: `provider-${i}`, name: `Provider ${i}`, endpoints: endpointsPer, state: i % 10 === 3 ? 'degraded' as const : 'operational' as const }));
    const fillStart = performance.now();
    const buckets = dayBuckets(specs.map((s) => s.id), endpointsPer, now);
    for (let i = 0; i < buckets.length; i += 50_000) await store.mergeBuckets(buckets.slice(i, i + 50_000));
    await store.putSnapshot(snapshot(specs, now));
    for (let i = 0; i < 5; i++) await store.putIncident(incident(`inc-${i}`, `provider-${i * 10 + 3}`, now));
    const fillMs = performance.now() - fillStart;

    const dns = dnsSnapshot(Array.from({ length: 8 }, (_, i) => resolver(`10.0.0.${i + 2}`, { queries: 1000 * (i + 1) })), [dnsFinding()]);
    const sources: ServerSources = { store, dns: () => dns, monitoring: () => monitoringStatus(), now: () => now };
    const metrics = new MetricsExporter({ sources, version: '0.1.0' });
    for (let i = 0; i < 1000; i++) metrics.observeProbe({ type: 'probe', check: `c${i % 500}`, probe: 'http', target: 't', ok: i % 50 !== 0, ts: now, phases: { dnsMs: 1, connectMs: 3, tlsMs: 6, firstByteMs: 20, totalMs: 31 }, attempts: 1, provider: `provider-${i % providerCount}` });
    const server = new StatusServer({ sources, metrics });
    const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${port}`;

    // In-process render of / (no HTTP, no store read): how much of the time is HTML building.
    const providers = await store.listProviders();
    const openIncidents = await store.listIncidents({ state: 'open' });
    const renderTimes: number[] = [];
    let pageBytes = 0;
    for (let i = 0; i < 200; i++) {
      const t0 = performance.now();
      pageBytes = renderStatusPage({ monitoring: monitoringStatus(), providers, openIncidents, maintenance: [], now }).text.length;
      renderTimes.push(performance.now() - t0);
    }
    renderTimes.sort((a, b) => a - b);
    const sizes = await Promise.all(['/', '/api/v1/providers', '/metrics'].map(async (p) => [p, (await (await fetch(base + p)).arrayBuffer()).byteLength] as const));

    // Cold path: the first request after the engine publishes a new snapshot rebuilds the cached parts.
    const cold: Record<string, { p50: number; max: number }> = {};
    for (const path of ['/', '/api/v1/providers']) {
      const times: number[] = [];
      for (let i = 0; i < 20; i++) {
        await store.putSnapshot(snapshot(specs, now));
        const t0 = performance.now();
        await (await fetch(base + path)).arrayBuffer();
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      cold[path] = { p50: round(times[10]), max: round(times[19]) };
    }
    const results: Record<string, unknown> = {};
    results['/'] = await measure(`${base}/`);
    results['/api/v1/providers'] = await measure(`${base}/api/v1/providers`);
    results['/metrics'] = await measure(`${base}/metrics`);
    results['/providers/provider-3'] = await measure(`${base}/providers/provider-3`);
    results['/api/v1/endpoints/{id}/health'] = await measure(`${base}/api/v1/endpoints/${encodeURIComponent('provider-0|api-0.provider-0.example:443')}/health`);

    // Peers, same run, same wrk settings.
    const bare = createServer((_req, res) => res.end('ok'));
    servers.push(bare);
    await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
    const peers: Record<string, unknown> = { 'node:http bare reply': await measure(`http://127.0.0.1:${(bare.address() as AddressInfo).port}/`) };
    if (spawnSync('prometheus', ['--version']).status === 0) {
      const promPort = await freePort();
      writeFileSync(join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 1h\nscrape_configs: []\n');
      const prom = spawn('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${promPort}`, '--log.level=error'], { stdio: 'ignore' });
      children.push(prom);
      for (let i = 0; i < 100; i++) {
        if (await fetch(`http://127.0.0.1:${promPort}/-/ready`).then((r) => r.ok, () => false)) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const promMetricsBytes = (await (await fetch(`http://127.0.0.1:${promPort}/metrics`)).arrayBuffer()).byteLength;
      peers['prometheus /metrics'] = { ...(await measure(`http://127.0.0.1:${promPort}/metrics`)), bytes: promMetricsBytes };
    }
    await server.close();
    await store.close();
    console.log(JSON.stringify({
      benchmark: 'server-status-page',
      setup: { providers: providerCount, endpoints: endpointsPer * providerCount, daysOfHistory: days, dayBuckets: buckets.length, fillMs: Math.round(fillMs), wrkSeconds: seconds },
      bytes: Object.fromEntries(sizes),
      renderInProcessMs: { p50: round(renderTimes[100]), p99: round(renderTimes[197]), pageBytes },
      coldAfterNewSnapshotMs: cold,
      loadAverage: loadavg(),
      egresswatch: results,
      peers,
      targets: { '/': 'p99 < 50 ms', '/api/v1/providers': 'p99 < 10 ms', '/metrics': 'p99 < 20 ms' },
    }, null, 2));
  } finally {
    for (const c of children) c.kill('SIGTERM');
    for (const s of servers) s.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

await main();
