// Adding one bucket into another: counters add, latency sketches merge. Rollups and flushes rely on it.
import { LatencySketch } from '../../sketch/latency-sketch.js';
import { inScope, type Bucket, type BucketCounters, type CounterName, type LatencySignal } from './bucket.js';
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

/**
 * Calls of a bucket: attempts to use the provider, that is outbound TCP connects and check runs,
 * and the failures among them. DNS lookups of the provider's names are not calls: they are the
 * DNS signal (dnsLookups), judged against the resolver (docs/reliability-model.md).
 */
export function bucketCalls(c: BucketCounters): { total: number; failed: number } {
  return {
    total: (c.tcpAttempts ?? 0) + (c.probeTotal ?? 0),
    failed: (c.tcpFailed ?? 0) + (c.probeFailed ?? 0),
  };
}

/** DNS lookups of a bucket's names and the failed ones (SERVFAIL, REFUSED, timeouts; not NXDOMAIN). */
export function dnsLookups(c: BucketCounters): { total: number; failed: number } {
  return { total: c.dnsTotal ?? 0, failed: c.dnsFailed ?? 0 };
}

/**
 * Failed calls that a fault of this host, its network, resolver or NAT could explain: connects
 * that timed out or were unreachable, and check runs failing the same way. Refused connects and
 * application answers (HTTP status, assertions, TLS) are the provider's. For a resolver
 * breakdown, every failed lookup.
 */
export function networkFailures(key: string, c: BucketCounters): number {
  if (inScope(key, 'resolver')) return c.dnsFailed ?? 0;
  return (c.tcpFailed ?? 0) - (c.tcpRefused ?? 0) + (c.probeNetworkFailed ?? 0);
}

/** What a series is judged on: its calls, except a resolver breakdown, which holds lookups only. */
export function seriesSignal(key: string, c: BucketCounters): { total: number; failed: number } {
  return inScope(key, 'resolver') ? dnsLookups(c) : bucketCalls(c);
}
