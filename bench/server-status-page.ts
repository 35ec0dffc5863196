// Benchmark: the status server as it runs in the agent, with 500 endpoints (50 providers) and 400
// days of history in the lowdb store, the reliability engine ticking in the same process (TCP
// traffic fed every 500 ms, a tick every --tick-ms followed by the server's warm()), so requests
// that land during or just after a tick are counted. Measures GET /, /api/v1/providers, /metrics,
// a provider page and a health document with wrk, one connection (per-request latency) and ten,
// each run long enough to cover several ticks; reports p50/p90/p99/max per endpoint, how long
// each tick blocked the event loop, the first request after a new snapshot with and without
// warm(), response sizes and the load average. Peers in the same run with the same wrk settings:
// a bare node:http reply (the floor of any handler) and Prometheus's own /metrics (Go). Then the
// first contentful paint of the overview, a provider page, /incidents and /dns in Chromium, beside
// that of Prometheus's own web UI.
// Usage: node dist/bench/server-status-page.js [--seconds 20] [--tick-ms 10000] [--providers 50] [--endpoints 500] [--days 400]
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { StatusServer } from '../src/server/http-server.js';
import { defaultIdentity } from '../src/identity.js';
import { MetricsExporter } from '../src/server/metrics.js';
import { renderStatusPage } from '../src/server/pages/status-page.js';
import type { ServerSources } from '../src/server/status-sources.js';
import { dnsFinding, dnsSnapshot, incident, resolver } from '../test/helpers/status-snapshot.js';
import { monitoringStatus } from '../test/helpers/status-server.js';
import { startLiveEngine } from './live-engine.js';
import { freePort } from '../test/helpers/free-port.js';
import { CHROMIUM, CHROMIUM_ARGS } from '../test/helpers/chromium.js';
import { chromium } from 'playwright-core';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '20' }, 'tick-ms': { type: 'string', default: '10000' }, providers: { type: 'string', default: '50' }, endpoints: { type: 'string', default: '500' }, days: { type: 'string', default: '400' } } });
const seconds = Math.max(1, Number(values.seconds));
const tickMs = Math.max(500, Number(values['tick-ms']));
const providerCount = Number(values.providers);
const endpointCount = Number(values.endpoints);
const days = Number(values.days);
const FEED_MS = 500;

interface WrkFigures {
  requests: number;
  requestsPerSec: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  errors: number;
  ticksDuringRun: number;
}

function toMs(text: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim());
  if (!m) return NaN;
  const v = Number(m[1]);
  return m[2] === 'us' ? v / 1000 : m[2] === 'ms' ? v : m[2] === 's' ? v * 1000 : v * 60_000;
}

let tickCount = 0;

/** Runs wrk without blocking: the servers measured live in this very process. */
async function wrk(url: string, connections: number, runSeconds = seconds, headers: string[] = []): Promise<WrkFigures> {
  const ticksBefore = tickCount;
  const child = spawn('wrk', ['-t1', `-c${connections}`, `-d${runSeconds}s`, '--latency', ...headers.flatMap((h) => ['-H', h]), url], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  if (code !== 0) throw new Error(`wrk failed: ${err}`);
  const pct = (p: string) => toMs(new RegExp(`^\\s+${p}%\\s+(\\S+)`, 'm').exec(out)?.[1] ?? '');
  const errors = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  // "Latency   1.23ms  456.00us  45.67ms   90.12%": average, stdev, max, within one stdev.
  const latency = /^\s+Latency\s+(\S+)\s+(\S+)\s+(\S+)/m.exec(out);
  return {
    requests: Number(/(\d+) requests in/.exec(out)?.[1]),
    requestsPerSec: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]),
    p50Ms: pct('50'), p90Ms: pct('90'), p99Ms: pct('99'), maxMs: latency ? toMs(latency[3]) : NaN,
    errors: (errors ? Number(errors[1]) : 0) + (socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0),
    ticksDuringRun: tickCount - ticksBefore,
  };
}

async function measure(url: string, runSeconds = seconds, headers: string[] = []): Promise<{ serial: WrkFigures; concurrent10: WrkFigures }> {
  return { serial: await wrk(url, 1, runSeconds, headers), concurrent10: await wrk(url, 10, runSeconds, headers) };
}

/**
 * First contentful paint in Chromium, each load in a fresh context (empty cache), as a first visit
 * over loopback would see it. Median and worst of `loads` per URL.
 */
async function firstContentfulPaint(urls: Record<string, string>, loads = 7): Promise<Record<string, { p50: number; max: number; n: number }>> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  const out: Record<string, { p50: number; max: number; n: number }> = {};
  try {
    for (const [name, url] of Object.entries(urls)) {
      const times: number[] = [];
      for (let i = 0; i < loads; i++) {
        const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
        const page = await context.newPage();
        await page.goto(url, { waitUntil: 'load' });
        const fcp = await page.evaluate(() => new Promise<number>((resolve) => {
          const seen = performance.getEntriesByName('first-contentful-paint')[0];
          if (seen) return resolve(seen.startTime);
          new PerformanceObserver((list) => {
            const e = list.getEntriesByName('first-contentful-paint')[0];
            if (e) resolve(e.startTime);
          }).observe({ type: 'paint' as never, buffered: true }); // a browser entry type Node's typings lack
        }));
        times.push(fcp);
        await context.close();
      }
      out[name] = quantiles(times);
    }
  } finally {
    await browser.close();
  }
  return out;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

function quantiles(xs: number[]): { p50: number; max: number; n: number } {
  const s = xs.slice().sort((a, b) => a - b);
  return { p50: round(s[s.length >> 1]), max: round(s[s.length - 1]), n: s.length };
}

async function main(): Promise<void> {
  const start = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'ewsrv-bench-'));
  const children: ChildProcess[] = [];
  const servers: Server[] = [];
  const live = await startLiveEngine({ endpoints: endpointCount, providers: providerCount, days, connectsPerMinute: 60 }, start);
  let feeder: NodeJS.Timeout | undefined;
  let ticking = true;
  let ticker: Promise<void> = Promise.resolve();
  try {
    const { store, engine } = live;
    for (let i = 0; i < 5; i++) await store.putIncident(incident(`inc-${i}`, `p${i * 10 + 3}`, start));
    const dns = dnsSnapshot(Array.from({ length: 8 }, (_, i) => resolver(`10.0.0.${i + 2}`, { queries: 1000 * (i + 1) })), [dnsFinding()]);
    const sources: ServerSources = { store, dns: () => dns, monitoring: () => monitoringStatus(), now: () => live.clock.now() };
    const metrics = new MetricsExporter({ sources, version: '0.1.0', identity: defaultIdentity() });
    for (let i = 0; i < 1000; i++) metrics.observeProbe({ type: 'probe', check: `c${i % 500}`, probe: 'http', target: 't', ok: i % 50 !== 0, ts: start, phases: { dnsMs: 1, connectMs: 3, tlsMs: 6, firstByteMs: 20, totalMs: 31 }, attempts: 1, provider: `p${i % providerCount}` });
    const server = new StatusServer({ sources, metrics });
    const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${port}`;
    const timedFetch = async (path: string) => {
      const t0 = performance.now();
      await (await fetch(base + path)).arrayBuffer();
      return performance.now() - t0;
    };

    // The first tick after start reads 89 past days and the anomaly history once: timed apart.
    live.feed(tickMs);
    const firstTickStart = performance.now();
    await engine.tick();
    await server.warm();
    const firstTickMs = performance.now() - firstTickStart;

    // First request after a new snapshot: without warm() (the server renders on the request) and
    // with it (what `egresswatch run` does after each tick). Ticks here are back to back, no wrk.
    const firstRequest: Record<string, { withoutWarm: number[]; afterWarm: number[] }> = { '/': { withoutWarm: [], afterWarm: [] }, '/api/v1/providers': { withoutWarm: [], afterWarm: [] }, '/metrics': { withoutWarm: [], afterWarm: [] } };
    for (let i = 0; i < 6; i++) {
      for (const path of Object.keys(firstRequest)) {
        live.feed(1000);
        await engine.tick();
        firstRequest[path].withoutWarm.push(await timedFetch(path));
        live.feed(1000);
        await engine.tick();
        await server.warm();
        firstRequest[path].afterWarm.push(await timedFetch(path));
      }
    }

    // From here on the agent runs as in production: traffic every 500 ms, a tick (then warm) every tickMs.
    feeder = setInterval(() => live.feed(FEED_MS), FEED_MS);
    const tickFigures: Array<{ wallMs: number; blockedMaxMs: number }> = [];
    ticker = (async () => {
      while (ticking) {
        await new Promise((r) => setTimeout(r, tickMs));
        if (!ticking) break;
        const h = monitorEventLoopDelay({ resolution: 1 });
        h.enable();
        const t0 = performance.now();
        await engine.tick();
        await server.warm();
        const wallMs = performance.now() - t0;
        await new Promise((r) => setTimeout(r, 3));
        h.disable();
        tickFigures.push({ wallMs: round(wallMs), blockedMaxMs: round(h.max / 1e6) });
        tickCount++;
      }
    })();

    // In-process render of / (no HTTP, no store read): how much of the time is HTML building.
    const providers = await store.listProviders();
    const openIncidents = await store.listIncidents({ state: 'open' });
    const renderTimes: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      renderStatusPage({ monitoring: monitoringStatus(), providers, openIncidents, maintenance: [], now: live.clock.now() });
      renderTimes.push(performance.now() - t0);
    }
    const paths = ['/', '/api/v1/providers', '/api/v1/providers?days=90', '/metrics', '/providers/p3', '/incidents', '/assets/status.css', '/assets/charts.js', '/assets/uplot.iife.min.js'];
    // fetch() would ask for gzip and decompress: sizes are read as sent, without and with gzip.
    const sizeOf = async (path: string, encoding: string) => {
      const res = await fetch(base + path, { headers: { 'accept-encoding': encoding } });
      return Number(res.headers.get('content-length'));
    };
    const sizes: Record<string, number> = {};
    for (const p of paths) sizes[p] = await sizeOf(p, 'identity');
    sizes['/ (gzip)'] = await sizeOf('/', 'gzip');
    // What a browser downloads for the overview: the page compressed, and its stylesheet (the
    // overview loads no script; provider pages add charts.js and uPlot).
    const gzipped = (path: string) => new Promise<number>((resolve) => fetch(base + path).then((r) => r.arrayBuffer()).then((b) => resolve(gzipSync(Buffer.from(b)).length)));
    sizes['page weight of / (HTML + CSS, gzip)'] = sizes['/ (gzip)'] + await gzipped('/assets/status.css');
    sizes['page weight of a provider page (HTML + CSS + JS, gzip)'] = await gzipped('/providers/p3') + await gzipped('/assets/status.css') + await gzipped('/assets/charts.js') + await gzipped('/assets/uplot.iife.min.js');

    const results: Record<string, unknown> = {};
    results['/'] = await measure(`${base}/`);
    results['/ (Accept-Encoding: gzip)'] = await measure(`${base}/`, seconds, ['Accept-Encoding: gzip']);
    results['/api/v1/providers'] = await measure(`${base}/api/v1/providers`);
    results['/metrics'] = await measure(`${base}/metrics`);
    const short = Math.max(2, Math.round(seconds / 3));
    results['/providers/p3'] = await measure(`${base}/providers/p3`, short);
    results['/incidents'] = await measure(`${base}/incidents`, short);
    results['/api/v1/endpoints/{id}/health'] = await measure(`${base}/api/v1/endpoints/${encodeURIComponent('p0|api-0.p0.example:443')}/health`, short);
    // Paint is measured while the engine still ticks, as a visitor of a running agent sees it.
    const paint = await firstContentfulPaint({ '/': `${base}/`, '/providers/p3': `${base}/providers/p3`, '/incidents': `${base}/incidents`, '/dns': `${base}/dns` });
    ticking = false;
    clearInterval(feeder);
    await ticker;

    // Peers, same run, same wrk settings (the engine is stopped: nothing else runs in the process).
    const bare = createServer((_req, res) => res.end('ok'));
    servers.push(bare);
    await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
    const peers: Record<string, unknown> = { 'node:http bare reply': await measure(`http://127.0.0.1:${(bare.address() as AddressInfo).port}/`, short) };
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
      peers['prometheus /metrics'] = { ...(await measure(`http://127.0.0.1:${promPort}/metrics`, short)), bytes: promMetricsBytes };
      peers['prometheus web UI, first contentful paint ms'] = (await firstContentfulPaint({ '/graph': `http://127.0.0.1:${promPort}/graph` }))['/graph'];
    }
    await server.close();
    const blocked = quantiles(tickFigures.map((t) => t.blockedMaxMs));
    const wall = quantiles(tickFigures.map((t) => t.wallMs));
    console.log(JSON.stringify({
      benchmark: 'server-status-page',
      setup: { providers: providerCount, endpoints: endpointCount, daysOfHistory: days, historyBuckets: live.historyBuckets, fillMs: Math.round(live.fillMs), wrkSeconds: seconds, tickEveryMs: tickMs, tcpEventsPerSecond: endpointCount },
      bytes: sizes,
      ticks: { firstTickAndWarmMs: Math.round(firstTickMs), count: tickFigures.length, wallMs: wall, eventLoopBlockedMaxMs: blocked, note: 'per tick (tick + warm), while wrk runs: the longest the event loop was held (a tick slice or a request)' },
      firstRequestAfterNewSnapshotMs: Object.fromEntries(Object.entries(firstRequest).map(([p, v]) => [p, { withoutWarm: quantiles(v.withoutWarm), afterWarm: quantiles(v.afterWarm) }])),
      renderInProcessMs: quantiles(renderTimes),
      egresswatch: results,
      firstContentfulPaintMs: paint,
      peers,
      targets: { '/': 'p99 < 50 ms', '/api/v1/providers': 'p99 < 10 ms', '/metrics': 'p99 < 20 ms' },
      loadAverage: loadavg(),
    }, null, 2));
  } finally {
    ticking = false;
    if (feeder) clearInterval(feeder);
    await ticker.catch(() => {});
    for (const c of children) c.kill('SIGTERM');
    for (const s of servers) s.close();
    await live.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
