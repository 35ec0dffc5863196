// The on-disk form of a rollup shard: compact tuples so 500 endpoints × 400 days stay small, with a schema version.
import type { Bucket, BucketCounters, LatencySignal, RollupLevel, SketchData } from './store.js';
import { LATENCY_SIGNALS, ROLLUP_LEVELS } from './store.js';

export const SHARD_SCHEMA = 1;

/** [alpha, offset, zero, count, sum, min, max, ...counts] */
type CompactSketch = number[];
/** [key, start, counters, {signal: sketch}] */
type CompactBucket = [string, number, BucketCounters, Partial<Record<LatencySignal, CompactSketch>>];

export interface ShardFile {
  schema: number;
  level: RollupLevel;
  start: number;
  spanMs: number;
  buckets: CompactBucket[];
}

export function encodeShard(level: RollupLevel, start: number, spanMs: number, buckets: Iterable<Bucket>): ShardFile {
  const out: CompactBucket[] = [];
  for (const b of buckets) {
    const lat: Partial<Record<LatencySignal, CompactSketch>> = {};
    for (const k in b.latency) {
      const s = b.latency[k as LatencySignal];
      if (s && s.count > 0) lat[k as LatencySignal] = [s.alpha, s.offset, s.zero, s.count, s.sum, s.min, s.max, ...s.counts];
    }
    out.push([b.key, b.start, b.counters, lat]);
  }
  return { schema: SHARD_SCHEMA, level, start, spanMs, buckets: out };
}

/** Why a shard cannot be used, or undefined when it is well formed. */
export function shardProblem(data: unknown, level: RollupLevel, start: number): string | undefined {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return 'not a JSON object';
  const d = data as Partial<ShardFile>;
  if (typeof d.schema !== 'number') return 'no schema version';
  if (d.schema > SHARD_SCHEMA) return `schema version ${d.schema} is newer than this program's (${SHARD_SCHEMA})`;
  if (!ROLLUP_LEVELS.includes(d.level as RollupLevel) || d.level !== level) return `level ${JSON.stringify(d.level)} does not match the file name`;
  if (d.start !== start) return 'start does not match the file name';
  if (!Array.isArray(d.buckets)) return 'no bucket list';
  for (const b of d.buckets) {
    if (!Array.isArray(b) || typeof b[0] !== 'string' || typeof b[1] !== 'number' || typeof b[2] !== 'object' || b[2] === null || typeof b[3] !== 'object' || b[3] === null) {
      return 'malformed bucket';
    }
  }
  return undefined;
}

export function decodeShard(file: ShardFile): Bucket[] {
  return file.buckets.map(([key, start, counters, lat]) => {
    const latency: Partial<Record<LatencySignal, SketchData>> = {};
    for (const signal of LATENCY_SIGNALS) {
      const c = lat[signal];
      if (!Array.isArray(c) || c.length < 7) continue;
      latency[signal] = { alpha: c[0], offset: c[1], zero: c[2], count: c[3], sum: c[4], min: c[5], max: c[6], counts: c.slice(7) };
    }
    return { key, level: file.level, start, counters, latency };
  });
}
