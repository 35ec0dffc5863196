// Rolls minute buckets up into hour and day buckets, so one drain feeds every level in one store batch.
import { cloneBucket, mergeBucket } from './bucket-merge.js';
import { type Bucket, inScope, type LatencySignal, LEVEL_MS, type RollupLevel } from './bucket.js';
import { coarsen } from '../../sketch/latency-sketch.js';

/** The buckets of `level` that sum the given (finer) buckets; breakdown series are kept at minute and hour only. */
export function rollUp(buckets: readonly Bucket[], level: RollupLevel): Bucket[] {
  const width = LEVEL_MS[level];
  const out = new Map<string, Bucket>();
  for (const b of buckets) {
    // Day-level breakdowns by host/process/resolver would cost disk for 400 days and nobody drains hosts from last year.
    if (level === 'day' && !(inScope(b.key, 'provider') || inScope(b.key, 'endpoint'))) continue;
    const start = b.start - (b.start % width);
    const id = `${b.key}@${start}`;
    const have = out.get(id);
    if (have) mergeBucket(have, b);
    else {
      const c = cloneBucket(b);
      c.level = level;
      c.start = start;
      out.set(id, c);
    }
  }
  // Hour and day sketches are kept at a coarser accuracy (see COARSE_ALPHA): most of the disk is theirs.
  for (const b of out.values()) {
    for (const k in b.latency) {
      const signal = k as LatencySignal;
      const d = b.latency[signal];
      if (d) b.latency[signal] = coarsen(d);
    }
  }
  return [...out.values()];
}
