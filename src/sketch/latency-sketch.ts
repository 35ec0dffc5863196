// The one mergeable latency sketch (DDSketch-style log buckets): constant relative error, adds by
// count. DNS resolver health, the aggregator and the store's rollups all use it.
//
// Chosen over t-digest because two sketches merge exactly (bucket counts add), which is what
// rollups from minute to hour to day need, and the stored form is a small dense array.

/**
 * A mergeable latency distribution in its stored form (log-bucketed, DDSketch-like, relative
 * accuracy `alpha`): counts[i] is the number of values v with index(v) = offset + i, where
 * index(v) = ceil(log(v) / log(gamma)), gamma = (1 + alpha) / (1 - alpha). Values ≤ minValue count in `zero`.
 */
export interface SketchData {
  alpha: number;
  offset: number;
  counts: number[];
  zero: number;
  count: number;
  sum: number;
  min: number;
  max: number;
}

/** Relative accuracy of quantiles: a p99 of 100 ms is reported within ±2 ms. */
export const DEFAULT_ALPHA = 0.02;
/** Values at or below this (ms) are counted as zero: sub-microsecond latency is noise. */
const MIN_VALUE = 0.001;

export class LatencySketch {
  readonly alpha: number;
  private readonly logGamma: number;
  private readonly gamma: number;
  /** Dense counts from `offset`; grown on either side as values arrive. */
  private counts: number[] = [];
  private offset = 0;
  zero = 0;
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;

  constructor(alpha = DEFAULT_ALPHA) {
    this.alpha = alpha;
    this.gamma = (1 + alpha) / (1 - alpha);
    this.logGamma = Math.log(this.gamma);
  }

  static from(data: SketchData): LatencySketch {
    const s = new LatencySketch(data.alpha);
    s.counts = data.counts.slice();
    s.offset = data.offset;
    s.zero = data.zero;
    s.count = data.count;
    s.sum = data.sum;
    s.min = data.count > 0 ? data.min : Infinity;
    s.max = data.count > 0 ? data.max : -Infinity;
    return s;
  }

  add(valueMs: number, n = 1): void {
    if (!(valueMs >= 0)) return; // NaN and negatives are dropped, not counted
    this.count += n;
    this.sum += valueMs * n;
    if (valueMs < this.min) this.min = valueMs;
    if (valueMs > this.max) this.max = valueMs;
    if (valueMs <= MIN_VALUE) {
      this.zero += n;
      return;
    }
    this.addIndex(Math.ceil(Math.log(valueMs) / this.logGamma), n);
  }

  private addIndex(index: number, n: number): void {
    const counts = this.counts;
    if (counts.length === 0) {
      this.offset = index;
      counts.push(n);
      return;
    }
    let i = index - this.offset;
    if (i < 0) {
      const grow = -i;
      const prefix = new Array<number>(grow).fill(0);
      this.counts = prefix.concat(counts);
      this.offset = index;
      i = 0;
    } else if (i >= counts.length) {
      for (let k = counts.length; k <= i; k++) counts.push(0);
    }
    this.counts[i] += n;
  }

  /** Adds another sketch's counts (same alpha, else values are re-binned at their representative value). */
  merge(other: LatencySketch | SketchData): void {
    if (other.count === 0) return;
    if (other.alpha === this.alpha) {
      // Same binning: add the counts straight from the other side (stored data is not copied into a sketch first).
      const counts = other instanceof LatencySketch ? other.counts : other.counts;
      const offset = other instanceof LatencySketch ? other.offset : other.offset;
      this.zero += other.zero;
      this.count += other.count;
      this.sum += other.sum;
      if (other.min < this.min) this.min = other.min;
      if (other.max > this.max) this.max = other.max;
      for (let i = 0; i < counts.length; i++) if (counts[i] !== 0) this.addIndex(offset + i, counts[i]);
      return;
    }
    const o = other instanceof LatencySketch ? other : LatencySketch.from(other);
    this.zero += o.zero;
    this.count += o.count;
    this.sum += o.sum;
    if (o.min < this.min) this.min = o.min;
    if (o.max > this.max) this.max = o.max;
    for (let i = 0; i < o.counts.length; i++) {
      if (o.counts[i] === 0) continue;
      const v = o.valueAt(o.offset + i);
      this.addIndex(Math.ceil(Math.log(v) / this.logGamma), o.counts[i]);
    }
  }

  /** Representative value of a bucket: the midpoint in relative terms, so the error is ≤ alpha. */
  private valueAt(index: number): number {
    return (2 * Math.pow(this.gamma, index)) / (this.gamma + 1);
  }

  /** The q-quantile (0..1) in ms, null when empty; clamped to the exact min and max. */
  quantile(q: number): number | null {
    if (this.count === 0) return null;
    const rank = q * (this.count - 1);
    let seen = this.zero;
    if (rank < seen) return Math.max(0, this.min);
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i];
      if (seen > rank) return Math.min(this.max, Math.max(this.min, this.valueAt(this.offset + i)));
    }
    return this.max;
  }

  /** Number of values ≤ thresholdMs (for latency SLOs), within the sketch's accuracy. */
  countBelow(thresholdMs: number): number {
    if (this.count === 0) return 0;
    if (thresholdMs >= this.max) return this.count;
    let n = this.zero;
    if (thresholdMs <= MIN_VALUE) return n;
    const limit = Math.ceil(Math.log(thresholdMs) / this.logGamma);
    for (let i = 0; i < this.counts.length && this.offset + i <= limit; i++) n += this.counts[i];
    return n;
  }

  toData(): SketchData {
    // Trim zero tails so the stored form stays small.
    let a = 0;
    let b = this.counts.length;
    while (a < b && this.counts[a] === 0) a++;
    while (b > a && this.counts[b - 1] === 0) b--;
    return {
      alpha: this.alpha,
      offset: this.offset + a,
      counts: this.counts.slice(a, b),
      zero: this.zero,
      count: this.count,
      sum: round3(this.sum),
      min: this.count > 0 ? this.min : 0,
      max: this.count > 0 ? this.max : 0,
    };
  }
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}

/** Merges stored sketches into one; undefined entries are skipped. */
export function mergeSketchData(items: ReadonlyArray<SketchData | undefined>): LatencySketch {
  const out = new LatencySketch();
  for (const d of items) if (d) out.merge(d);
  return out;
}

/**
 * Relative accuracy kept at the hour and day levels: ±4 % halves the buckets of a sketch, which
 * is what keeps 400 days of rollups small; minute buckets keep DEFAULT_ALPHA.
 */
export const COARSE_ALPHA = 0.04;

/** Re-bins a stored sketch at a coarser accuracy (no-op when it is already that coarse). */
export function coarsen(data: SketchData, alpha = COARSE_ALPHA): SketchData {
  if (data.alpha >= alpha) return data;
  const s = new LatencySketch(alpha);
  s.merge(data);
  return s.toData();
}
