// Adding one bucket into another: counters add, latency sketches merge. Rollups and flushes rely on it.
import { LatencySketch } from '../../sketch/latency-sketch.js';
import type { Bucket, BucketCounters, CounterName, LatencySignal } from './bucket.js';
import type { SketchData } from '../../sketch/latency-sketch.js';

export function mergeCounters(into: BucketCounters, from: BucketCounters): void {
  for (const k in from) {
    const name = k as CounterName;
    const v = from[name];
    if (v) into[name] = (into[name] ?? 0) + v;
  }
}

export function mergeSketch(into: SketchData | undefined, from: SketchData): SketchData {
  if (!into || into.count === 0) return { ...from, counts: from.counts.slice() };
  const s = LatencySketch.from(into);
  s.merge(from);
  return s.toData();
}

/** Adds `from` into `into` (same key; the start is the caller's business when rolling up). */
export function mergeBucket(into: Bucket, from: Bucket): void {
  mergeCounters(into.counters, from.counters);
  for (const k in from.latency) {
    const signal = k as LatencySignal;
    const sketch = from.latency[signal];
    if (sketch && sketch.count > 0) into.latency[signal] = mergeSketch(into.latency[signal], sketch);
  }
}

export function cloneBucket(b: Bucket): Bucket {
  const latency: Bucket['latency'] = {};
  for (const k in b.latency) {
    const signal = k as LatencySignal;
    const s = b.latency[signal];
    if (s) latency[signal] = { ...s, counts: s.counts.slice() };
  }
  return { key: b.key, level: b.level, start: b.start, counters: { ...b.counters }, latency };
}

/** Success signal of a bucket: every call of every kind (DNS, TCP connects, checks) and the failures among them. */
export function bucketCalls(c: BucketCounters): { total: number; failed: number } {
  return {
    total: (c.dnsTotal ?? 0) + (c.tcpAttempts ?? 0) + (c.probeTotal ?? 0),
    failed: (c.dnsFailed ?? 0) + (c.tcpFailed ?? 0) + (c.probeFailed ?? 0),
  };
}
