// Generates realistic rollup history (N endpoints over D days at every level) into a lowdb store, for benchmarks.
import { coarsen, LatencySketch } from '../src/sketch/latency-sketch.js';
import { LowdbStore } from '../src/store/lowdb-store.js';
import { type Bucket, LEVEL_MS, type RollupLevel } from '../src/health/rollups/bucket.js';
import type { SketchData } from '../src/sketch/latency-sketch.js';

export interface HistoryShape {
  endpoints: number;
  providers: number;
  days: number;
  /** Processes per provider in the breakdown (plus one host). */
  processes: number;
  /** Last instant of history. */
  now: number;
  retention: Record<RollupLevel, number>;
}

/** A latency sketch of `n` connects around `medianMs` (log-normal, σ = 0.3), deterministic. */
export function sampleSketch(n: number, medianMs: number, seed: number): SketchData {
  const s = new LatencySketch();
  let x = seed;
  for (let i = 0; i < n; i++) {
    // xorshift + Box–Muller: the same history on every run.
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    const u1 = ((x >>> 0) % 1_000_000 + 0.5) / 1_000_000;
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    const u2 = ((x >>> 0) % 1_000_000 + 0.5) / 1_000_000;
    const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    s.add(medianMs * Math.exp(0.3 * z));
  }
  return s.toData();
}

export function endpointKey(i: number, providers: number): { key: string; provider: string } {
  const provider = `p${i % providers}`;
  return { key: `endpoint|${provider}|${provider}|api-${i}.${provider}.example:443`, provider };
}

/** Calls per bucket of each level for one endpoint (100 connects a minute). */
const CALLS: Record<RollupLevel, number> = { minute: 100, hour: 6000, day: 144_000 };

/** Writes the history level by level, one shard period per batch (as flushes would have). */
export async function generateHistory(store: LowdbStore, shape: HistoryShape): Promise<number> {
  let buckets = 0;
  // A few sketches per level reused across endpoints: generating 1 M distinct ones would dominate the run.
  const templates = new Map<RollupLevel, SketchData[]>();
  for (const level of ['minute', 'hour', 'day'] as const) {
    templates.set(level, Array.from({ length: 8 }, (_, k) => {
      const s = sampleSketch(Math.min(CALLS[level], 20_000), 15 + k * 5, 1 + k);
      return level === 'minute' ? s : coarsen(s);
    }));
  }
  for (const level of ['day', 'hour', 'minute'] as const) {
    const width = LEVEL_MS[level];
    const span = Math.min(shape.retention[level], shape.days * 86_400_000);
    const last = shape.now - (shape.now % width);
    const tpl = templates.get(level) ?? [];
    let batch: Bucket[] = [];
    for (let start = last - span + width; start <= last; start += width) {
      for (let i = 0; i < shape.endpoints; i++) {
        const { key } = endpointKey(i, shape.providers);
        const sk = tpl[i % tpl.length];
        batch.push({ key, level, start, counters: { tcpAttempts: CALLS[level], tcpFailed: (i + start / width) % 17 === 0 ? 3 : 0, tcpRetransmits: 2 }, latency: { connect: { ...sk, count: CALLS[level] } } });
      }
      for (let p = 0; p < shape.providers; p++) {
        const provider = `p${p}`;
        const per = Math.ceil(shape.endpoints / shape.providers);
        batch.push({ key: `provider|${provider}`, level, start, counters: { tcpAttempts: CALLS[level] * per, tcpFailed: 3, dnsTotal: CALLS[level], dnsFailed: 0 }, latency: { connect: tpl[p % tpl.length], dns: tpl[(p + 3) % tpl.length] } });
        if (level !== 'day') {
          batch.push({ key: `host|${provider}|host-a`, level, start, counters: { tcpAttempts: CALLS[level] * per, tcpFailed: 3 }, latency: {} });
          for (let k = 0; k < shape.processes; k++) batch.push({ key: `process|${provider}|proc-${k}`, level, start, counters: { tcpAttempts: CALLS[level], tcpFailed: 0 }, latency: {} });
        }
      }
      if (batch.length >= 20_000) {
        buckets += batch.length;
        await store.mergeBuckets(batch);
        batch = [];
      }
    }
    buckets += batch.length;
    await store.mergeBuckets(batch);
  }
  return buckets;
}
