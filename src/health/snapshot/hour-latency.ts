// Latency sketches per signal of each endpoint over its last hour of minute buckets, kept between
// ticks: the settled minutes are merged once a minute, and a tick adds only the last few minutes'
// buckets, instead of merging 60 buckets per signal and endpoint at every tick.
import { LatencySketch } from '../../sketch/latency-sketch.js';
import { type Bucket, type LatencySignal, LEVEL_MS } from '../rollups/bucket.js';

const { minute: MINUTE, hour: HOUR } = LEVEL_MS;
/**
 * Minutes this recent may still change (events arrive up to a flush interval late, check results
 * a timeout late): they are merged at every tick, older ones once a minute.
 */
const UNSETTLED_MINUTES = 3;

export type SignalSketches = Partial<Record<LatencySignal, LatencySketch>>;

function mergeInto(out: SignalSketches, b: Bucket): void {
  for (const k in b.latency) {
    const signal = k as LatencySignal;
    const d = b.latency[signal];
    if (d && d.count > 0) (out[signal] ??= new LatencySketch()).merge(d);
  }
}

export class HourLatency {
  private readonly settled = new Map<string, { minute: number; sketches: SignalSketches }>();

  /**
   * Per-signal sketches over `mins`, the series' minute buckets of the last hour. The result is
   * the caller's to read, not to change (it may be shared with the next call in the same minute).
   */
  of(key: string, mins: readonly Bucket[], now: number): SignalSketches {
    const minute = now - (now % MINUTE);
    const cut = minute - (UNSETTLED_MINUTES - 1) * MINUTE;
    // Settled: every bucket of this minute's window but the newest ones and the one an hour old,
    // which a query at the exact minute includes and a later one does not.
    const isSettled = (b: Bucket) => b.start < cut && b.start > minute - HOUR;
    let s = this.settled.get(key);
    if (s === undefined || s.minute !== minute) {
      const sketches: SignalSketches = {};
      for (const b of mins) if (isSettled(b)) mergeInto(sketches, b);
      s = { minute, sketches };
      this.settled.set(key, s);
    }
    let out: SignalSketches | undefined;
    for (const b of mins) {
      if (isSettled(b)) continue;
      if (out === undefined) {
        out = {};
        for (const k in s.sketches) {
          const signal = k as LatencySignal;
          const copy = new LatencySketch();
          copy.merge(s.sketches[signal] as LatencySketch);
          out[signal] = copy;
        }
      }
      mergeInto(out, b);
    }
    return out ?? s.sketches;
  }

  /** Forgets series no longer evaluated. */
  retain(keys: ReadonlySet<string>): void {
    for (const k of this.settled.keys()) if (!keys.has(k)) this.settled.delete(k);
  }
}
