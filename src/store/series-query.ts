// Turns buckets into a series of points (count, failures, quantiles) for the server's charts.
import { seriesSignal } from '../health/rollups/bucket-merge.js';
import { LatencySketch } from '../sketch/latency-sketch.js';
import { type Bucket, LEVEL_MS, type RollupLevel } from '../health/rollups/bucket.js';
import type { SeriesPoint } from '../health/snapshot/health-snapshot.js';
import type { SeriesQuery } from './store.js';

/** The finest level whose retention covers the window: minute ≤ 6 h, hour ≤ 35 d, day beyond. */
export function levelForWindow(fromMs: number, toMs: number): RollupLevel {
  const span = toMs - fromMs;
  if (span <= 6 * 3_600_000) return 'minute';
  if (span <= 35 * 86_400_000) return 'hour';
  return 'day';
}

/** One point per bucket start that has data, oldest first (gaps are the chart's business). */
export function seriesFromBuckets(buckets: readonly Bucket[], query: SeriesQuery): SeriesPoint[] {
  const byStart = new Map<number, Bucket[]>();
  for (const b of buckets) {
    const list = byStart.get(b.start);
    if (list) list.push(b);
    else byStart.set(b.start, [b]);
  }
  const starts = [...byStart.keys()].sort((a, b) => a - b);
  return starts.map((t) => {
    const list = byStart.get(t) ?? [];
    if (query.signal === 'success') {
      let total = 0;
      let failed = 0;
      const sketch = new LatencySketch();
      for (const b of list) {
        const calls = seriesSignal(b.key, b.counters);
        total += calls.total;
        failed += calls.failed;
        const lat = b.latency.connect ?? b.latency.probeTotal;
        if (lat) sketch.merge(lat);
      }
      return { t, count: total, failed, p50Ms: sketch.quantile(0.5), p90Ms: sketch.quantile(0.9), p99Ms: sketch.quantile(0.99) };
    }
    const sketch = new LatencySketch();
    for (const b of list) {
      const s = b.latency[query.signal];
      if (s) sketch.merge(s);
    }
    return { t, count: sketch.count, failed: 0, p50Ms: sketch.quantile(0.5), p90Ms: sketch.quantile(0.9), p99Ms: sketch.quantile(0.99) };
  });
}

/** Aligns a time down to its bucket start. */
export function alignStart(ts: number, level: RollupLevel): number {
  const w = LEVEL_MS[level];
  return Math.floor(ts / w) * w;
}
