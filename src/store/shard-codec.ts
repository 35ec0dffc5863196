// The on-disk form of a rollup shard, compact so 500 endpoints × 400 days stay small, with a schema version.
//
// Layout: {schema, level, start, spanMs, counters: [counter names], series: [[key, [[slot,
// [counts in the order of `counters`, trailing zeros cut], {signal: sketch}], …]], …]}. A bucket's
// start is shard start + slot × level width. A sketch is one string
// "alpha;offset;zero;count;sum;min;max;c1,c2,…" with counts in base 36: JSON numbers and repeated
// field names would double the size.
import type { Bucket, BucketCounters, CounterName, LatencySignal, RollupLevel } from '../health/rollups/bucket.js';
import type { SketchData } from '../sketch/latency-sketch.js';
import { LATENCY_SIGNALS, LEVEL_MS, ROLLUP_LEVELS } from '../health/rollups/bucket.js';

export const SHARD_SCHEMA = 1;

/** Counter order on disk; new counters are appended (the file names its order, so old files still read). */
export const COUNTER_ORDER: readonly CounterName[] = [
  'tcpAttempts', 'tcpFailed', 'tcpRefused', 'tcpTimeout', 'tcpResets', 'tcpRetransmits', 'tcpSynRetransmits',
  'probeTotal', 'probeFailed', 'dnsTotal', 'dnsFailed', 'probeNetworkFailed',
];

export type EncodedBucket = [number, number[], Partial<Record<LatencySignal, string>>?];
type EncodedSeries = [string, EncodedBucket[]];

export interface ShardFile {
  schema: number;
  level: RollupLevel;
  start: number;
  spanMs: number;
  counters: string[];
  series: EncodedSeries[];
}

/** Rounds to `digits` decimals: 0.1 ms on a sum of thousands of calls and 10 µs on min/max are below the sketch's own error. */
function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

export function encodeSketch(s: SketchData): string {
  const counts = s.counts.map((c) => c.toString(36)).join(',');
  return `${s.alpha};${s.offset};${s.zero};${s.count};${round(s.sum, 1)};${round(s.min, 2)};${round(s.max, 2)};${counts}`;
}

export function decodeSketch(text: string): SketchData | undefined {
  const p = text.split(';');
  if (p.length !== 8) return undefined;
  const n = p.slice(0, 7).map(Number);
  if (n.some((v) => !Number.isFinite(v))) return undefined;
  const counts = p[7] === '' ? [] : p[7].split(',').map((c) => parseInt(c, 36));
  if (counts.some((c) => !Number.isFinite(c))) return undefined;
  return { alpha: n[0], offset: n[1], zero: n[2], count: n[3], sum: n[4], min: n[5], max: n[6], counts };
}

/** One bucket's stored form (its slot is relative to the shard start). */
export function encodeBucket(b: Bucket, shardStart: number): EncodedBucket {
  const counts: number[] = COUNTER_ORDER.map((name) => b.counters[name] ?? 0);
  while (counts.length > 0 && counts[counts.length - 1] === 0) counts.pop();
  let lat: Partial<Record<LatencySignal, string>> | undefined;
  for (const k in b.latency) {
    const s = b.latency[k as LatencySignal];
    if (s && s.count > 0) (lat ??= {})[k as LatencySignal] = encodeSketch(s);
  }
  const slot = (b.start - shardStart) / LEVEL_MS[b.level];
  return lat ? [slot, counts, lat] : [slot, counts];
}

/** The shard's fields before its series (the writer appends "series" to this object's JSON). */
export function shardHeader(level: RollupLevel, start: number, spanMs: number): Omit<ShardFile, 'series'> {
  return { schema: SHARD_SCHEMA, level, start, spanMs, counters: COUNTER_ORDER.slice() };
}

/** Assembles a shard from encoded buckets with their series keys. */
export function assembleShard(level: RollupLevel, start: number, spanMs: number, entries: Iterable<[string, EncodedBucket]>): ShardFile {
  const byKey = new Map<string, EncodedBucket[]>();
  for (const [key, enc] of entries) {
    const list = byKey.get(key);
    if (list) list.push(enc);
    else byKey.set(key, [enc]);
  }
  return { schema: SHARD_SCHEMA, level, start, spanMs, counters: COUNTER_ORDER.slice(), series: [...byKey] };
}

export function encodeShard(level: RollupLevel, start: number, spanMs: number, buckets: Iterable<Bucket>): ShardFile {
  const entries: Array<[string, EncodedBucket]> = [];
  for (const b of buckets) entries.push([b.key, encodeBucket(b, start)]);
  return assembleShard(level, start, spanMs, entries);
}

/** Why a shard cannot be used, or undefined when it is well formed. */
export function shardProblem(data: unknown, level: RollupLevel, start: number): string | undefined {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return 'not a JSON object';
  const d = data as Partial<ShardFile>;
  if (typeof d.schema !== 'number') return 'no schema version';
  if (d.schema > SHARD_SCHEMA) return `schema version ${d.schema} is newer than this program's (${SHARD_SCHEMA})`;
  if (!ROLLUP_LEVELS.includes(d.level as RollupLevel) || d.level !== level) return `level ${JSON.stringify(d.level)} does not match the file name`;
  if (d.start !== start) return 'start does not match the file name';
  if (!Array.isArray(d.counters) || !d.counters.every((c) => typeof c === 'string')) return 'no counter list';
  if (!Array.isArray(d.series)) return 'no series list';
  for (const s of d.series) {
    if (!Array.isArray(s) || typeof s[0] !== 'string' || !Array.isArray(s[1])) return 'malformed series';
    for (const b of s[1]) {
      if (!Array.isArray(b) || typeof b[0] !== 'number' || !Array.isArray(b[1])) return 'malformed bucket';
      if (b[2] !== undefined && (typeof b[2] !== 'object' || b[2] === null)) return 'malformed latency';
    }
  }
  return undefined;
}

export function decodeShard(file: ShardFile): Bucket[] {
  const width = LEVEL_MS[file.level];
  const names = file.counters as CounterName[];
  const out: Bucket[] = [];
  for (const [key, list] of file.series) {
    for (const [slot, counts, lat] of list) {
      const counters: BucketCounters = {};
      for (let i = 0; i < counts.length && i < names.length; i++) if (counts[i]) counters[names[i]] = counts[i];
      const latency: Bucket['latency'] = {};
      if (lat) {
        for (const signal of LATENCY_SIGNALS) {
          const text = lat[signal];
          const s = typeof text === 'string' ? decodeSketch(text) : undefined;
          if (s) latency[signal] = s;
        }
      }
      out.push({ key, level: file.level, start: file.start + slot * width, counters, latency });
    }
  }
  return out;
}
