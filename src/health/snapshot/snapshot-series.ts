// Builds the status page's series from stored buckets: 90-day uptime bars, latency sparkline, per-phase charts.
import { bucketCalls } from '../rollups/bucket-merge.js';
import { type Bucket, type LatencySignal, LEVEL_MS } from '../rollups/bucket.js';
import type { DayUptime, SeriesPoint } from './health-snapshot.js';
import type { Incident } from '../alerts/incident.js';
import type { MaintenanceWindow } from '../alerts/suppression.js';
import { LatencySketch } from '../../sketch/latency-sketch.js';
import { stateFromRatio } from '../evaluation/score.js';

const { day: DAY } = LEVEL_MS;

function point(t: number, total: number, failed: number, sketch: LatencySketch): SeriesPoint {
  return { t, count: total, failed, p50Ms: sketch.quantile(0.5), p90Ms: sketch.quantile(0.9), p99Ms: sketch.quantile(0.99) };
}

/** Latency of a call of any kind: TCP connect and successful checks, merged. */
function callSketch(b: Bucket): LatencySketch {
  const s = new LatencySketch();
  if (b.latency.connect) s.merge(b.latency.connect);
  if (b.latency.probeTotal) s.merge(b.latency.probeTotal);
  return s;
}

/** One point per bucket, oldest first: call counts, failures and call latency. */
export function callSeries(buckets: readonly Bucket[]): SeriesPoint[] {
  return buckets
    .slice()
    .sort((a, b) => a.start - b.start)
    .map((b) => {
      const c = bucketCalls(b.counters);
      return point(b.start, c.total, c.failed, callSketch(b));
    });
}

/** One point per bucket of the given latency signals merged (e.g. TCP connect and the checks' connect phase). */
export function latencySeries(buckets: readonly Bucket[], signals: readonly LatencySignal[]): SeriesPoint[] {
  const out: SeriesPoint[] = [];
  for (const b of buckets.slice().sort((x, y) => x.start - y.start)) {
    const s = new LatencySketch();
    for (const sig of signals) {
      const d = b.latency[sig];
      if (d) s.merge(d);
    }
    if (s.count > 0) out.push(point(b.start, s.count, 0, s));
  }
  return out;
}

function overlaps(aStart: number, aEnd: number | null, bStart: number, bEnd: number): boolean {
  return aStart < bEnd && (aEnd === null || aEnd > bStart);
}

/** 90 (or `days`) daily entries ending with today (UTC), from day buckets of one series. */
export function uptimeDays(
  dayBuckets: readonly Bucket[],
  now: number,
  days: number,
  incidents: readonly Incident[],
  maintenance: readonly MaintenanceWindow[],
): DayUptime[] {
  const byStart = new Map(dayBuckets.map((b) => [b.start, b]));
  const today = now - (now % DAY);
  const out: DayUptime[] = [];
  for (let i = days - 1; i >= 0; i--) {
    const start = today - i * DAY;
    const b = byStart.get(start);
    const calls = b ? bucketCalls(b.counters) : { total: 0, failed: 0 };
    const sketch = b ? callSketch(b) : new LatencySketch();
    const ratio = calls.total > 0 ? calls.failed / calls.total : null;
    out.push({
      day: new Date(start).toISOString().slice(0, 10),
      start,
      uptimePct: ratio === null ? null : Math.round((1 - ratio) * 1_000_000) / 10_000,
      total: calls.total,
      failed: calls.failed,
      p50Ms: sketch.quantile(0.5),
      p99Ms: sketch.quantile(0.99),
      worstState: ratio === null ? null : stateFromRatio(ratio),
      incidents: incidents.filter((x) => overlaps(x.openedAt, x.resolvedAt, start, start + DAY)).length,
      maintenance: maintenance.some((m) => overlaps(m.startsAt, m.endsAt, start, start + DAY)),
    });
  }
  return out;
}

export function uptimePct(days: readonly DayUptime[]): number | null {
  let total = 0;
  let failed = 0;
  for (const d of days) {
    total += d.total;
    failed += d.failed;
  }
  return total > 0 ? Math.round((1 - failed / total) * 1_000_000) / 10_000 : null;
}
