// Benchmark: evaluating every SLO and burn-rate window (5m, 30m, 1h, 6h, 3d and the 30 d SLO window)
// for 500 endpoints and 50 providers, from 35 days of hourly and 6 hours of minute history. Peer in
// the same run: the same windows summed straight from the stored buckets (what the engine's ring
// buffers avoid). Also reports the engine's start with its first tick, and one full tick (alerts,
// incidents, snapshot).
// Usage: node dist/bench/health-evaluate.js [--endpoints 500] [--providers 50]
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { defaultAlertSettings } from '../src/config/alerts.js';
import { defaultSlos } from '../src/health/engine-settings.js';
import { defaultStoreSettings } from '../src/store/store-settings.js';
import { bucketCalls } from '../src/health/rollups/bucket-merge.js';
import { ManualClock } from '../src/clock.js';
import { coarsen } from '../src/sketch/latency-sketch.js';
import { createReliabilityEngine } from '../src/health/reliability-engine.js';
import { SeriesEvaluator } from '../src/health/evaluation/series-evaluation.js';
import type { EndpointInfo } from '../src/health/rollups/aggregator.js';
import { parseSeriesKey } from '../src/health/rollups/bucket.js';
import { RollupPersistence } from '../src/health/rollups/rollup-persistence.js';
import { SliWindows } from '../src/health/rollups/sli-windows.js';
import { MemoryStore } from '../src/store/memory-store.js';
import type { Bucket, RollupLevel } from '../src/health/rollups/bucket.js';
import { endpointKey, sampleSketch } from './store-history.js';

const { values } = parseArgs({ options: { endpoints: { type: 'string', default: '500' }, providers: { type: 'string', default: '50' } } });
const endpoints = Number(values.endpoints);
const providers = Number(values.providers);
const now = Date.UTC(2026, 10, 23, 12, 0, 30);
const HOUR = 3_600_000;
const MINUTE = 60_000;

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return Math.round(s[s.length >> 1] * 100) / 100;
}

const store = new MemoryStore();
await store.open();
const sketches: Record<RollupLevel, ReturnType<typeof sampleSketch>[]> = {
  minute: Array.from({ length: 8 }, (_, k) => sampleSketch(100, 15 + 5 * k, k + 1)),
  hour: Array.from({ length: 8 }, (_, k) => coarsen(sampleSketch(6000, 15 + 5 * k, k + 1))),
  day: [],
};
const keys = [...Array.from({ length: endpoints }, (_, i) => endpointKey(i, providers).key), ...Array.from({ length: providers }, (_, p) => `provider|p${p}`)];
for (const [level, width, count, calls] of [['hour', HOUR, 35 * 24, 6000], ['minute', MINUTE, 360, 100]] as const) {
  const batch: Bucket[] = [];
  const last = now - (now % width);
  for (let k = 0; k < count; k++) {
    const start = last - k * width;
    keys.forEach((key, i) => batch.push({ key, level, start, counters: { tcpAttempts: calls, tcpFailed: (i + k) % 13 === 0 ? 2 : 0 }, latency: { connect: sketches[level][i % 8] } }));
  }
  await store.mergeBuckets(batch);
}

// The engine's own parts, as it builds them: windows rebuilt from the stored history, then every
// provider's and endpoint's SLOs evaluated (what each tick does before alerts and the snapshot).
const settings = { rollups: defaultStoreSettings(), slos: defaultSlos(), alerts: defaultAlertSettings() };
const evaluator = new SeriesEvaluator(settings.slos, settings.alerts);
const windows = new SliWindows(evaluator.thresholdsMs, { minuteMs: settings.rollups.retentionMs.minute, hourMs: settings.rollups.retentionMs.hour });
const loadStart = performance.now();
const history = await new RollupPersistence(store, settings.rollups.retentionMs).recentHistory(now);
for (const b of history.minutes) windows.add(b, false);
for (const b of history.hours) windows.add(b);
const windowsLoadMs = performance.now() - loadStart;
const series = keys.map((key) => {
  const id = parseSeriesKey(key);
  const info: EndpointInfo | null = id.scope === 'endpoint' ? { id: id.value ?? '', providerId: id.provider, name: id.value ?? '', service: null, region: null, probeType: null, lastSeen: 0 } : null;
  return { key, providerId: id.provider, info };
});
const evaluateAll = () => series.map((x) => evaluator.evaluate(windows, x.key, x.providerId, x.info, now));

evaluateAll();
const wall: number[] = [];
const cpu: number[] = [];
let statuses = 0;
for (let i = 0; i < 20; i++) {
  const c = process.cpuUsage();
  const s = performance.now();
  const out = evaluateAll();
  wall.push(performance.now() - s);
  const d = process.cpuUsage(c);
  cpu.push((d.user + d.system) / 1000);
  statuses = out.reduce((n, e) => n + e.slos.length, 0);
}

// Peer: the same windows summed from the stored buckets (hour level for 3 d and 30 d, minute level below).
const peerWall: number[] = [];
for (let i = 0; i < 3; i++) {
  const s = performance.now();
  const hours = await store.queryBuckets({ level: 'hour', from: now - 30 * 24 * HOUR, to: now + 1 });
  const minutes = await store.queryBuckets({ level: 'minute', from: now - 6 * HOUR, to: now + 1 });
  const sums = new Map<string, number[]>();
  const windows: Array<[number, Bucket[]]> = [[5 * MINUTE, minutes], [30 * MINUTE, minutes], [HOUR, minutes], [6 * HOUR, minutes], [3 * 24 * HOUR, hours], [30 * 24 * HOUR, hours]];
  windows.forEach(([w, list], wi) => {
    for (const b of list) {
      if (b.start < now - w) continue;
      const c = bucketCalls(b.counters);
      const row = sums.get(b.key) ?? new Array<number>(12).fill(0);
      row[wi * 2] += c.total;
      row[wi * 2 + 1] += c.failed;
      sums.set(b.key, row);
    }
  });
  peerWall.push(performance.now() - s);
}

// The whole engine: created, its first tick (which waits for the history to load), a second tick.
const engineStart = performance.now();
const engine = createReliabilityEngine({ store, clock: new ManualClock(now), settings, hostName: 'bench' });
await engine.tick(now + 1000);
const firstTickMs = performance.now() - engineStart;
const tickStart = performance.now();
const tick = await engine.tick(now + 2000);
const tickMs = performance.now() - tickStart;

console.log(JSON.stringify({
  benchmark: 'health-evaluate',
  endpoints, providers,
  loadAverage1m: loadavg()[0],
  sloStatuses: statuses,
  windowsPerStatus: 6,
  evaluate: { p50Ms: median(wall), p50CpuMs: median(cpu), targetMs: 50 },
  peerSumFromStoredBuckets: { p50Ms: median(peerWall) },
  windowsLoadMs: Math.round(windowsLoadMs),
  createAndFirstTickMs: Math.round(firstTickMs),
  fullTickMs: Math.round(tickMs),
  fullTickNote: 'second tick (the first also reads 89 past days once a day); in-memory store',
  providersInSnapshot: tick.snapshot.providers.length,
}, null, 2));
