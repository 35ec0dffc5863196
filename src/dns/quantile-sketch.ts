// A mergeable quantile sketch (DDSketch-style logarithmic buckets) for latencies in milliseconds.
//
// Every value v lands in bucket ceil(log_gamma(v)); any quantile read from the buckets is within
// the relative accuracy alpha of the true value. Two sketches with the same alpha merge by adding
// bucket counts, so windows and hosts combine without keeping raw samples.

/** Serialisable form, for the store and for merging across hosts. */
export interface QuantileSketchJson {
  alpha: number;
  count: number;
  /** Values at or below minValue (e.g. 0 ms). */
  zero: number;
  sum: number;
  min: number;
  max: number;
  /** [bucket index, count] pairs, ascending by index. */
  bins: [number, number][];
}

/** Values below this (1 µs) are counted in the zero bucket: finer resolution means nothing here. */
const MIN_VALUE = 1e-3;
/** Values above one hour are clamped: it bounds the number of buckets (≈1,100 at alpha 1 %). */
const MAX_VALUE = 3_600_000;

export class QuantileSketch {
  readonly alpha: number;
  private readonly logGamma: number;
  private bins = new Map<number, number>();
  private zero = 0;
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;

  constructor(alpha = 0.01) {
    if (!(alpha > 0 && alpha < 1)) throw new RangeError(`sketch accuracy must be between 0 and 1, got ${alpha}`);
    this.alpha = alpha;
    this.logGamma = Math.log((1 + alpha) / (1 - alpha));
  }

  add(value: number, times = 1): void {
    if (!(value >= 0)) return; // NaN or negative: a clock step, not a latency
    this.count += times;
    this.sum += value * times;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    if (value <= MIN_VALUE) {
      this.zero += times;
      return;
    }
    const idx = Math.ceil(Math.log(Math.min(value, MAX_VALUE)) / this.logGamma);
    this.bins.set(idx, (this.bins.get(idx) ?? 0) + times);
  }

  /** Adds another sketch's counts into this one; both must share alpha. */
  merge(other: QuantileSketch): this {
    if (other.alpha !== this.alpha) throw new RangeError(`cannot merge sketches of accuracy ${other.alpha} and ${this.alpha}`);
    for (const [idx, n] of other.bins) this.bins.set(idx, (this.bins.get(idx) ?? 0) + n);
    this.zero += other.zero;
    this.count += other.count;
    this.sum += other.sum;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
    return this;
  }

  /** The q-quantile (0..1), or undefined when empty. */
  quantile(q: number): number | undefined {
    if (this.count === 0) return undefined;
    const rank = Math.max(0, Math.min(1, q)) * (this.count - 1);
    if (rank < this.zero) return Math.max(0, this.min);
    let seen = this.zero;
    const keys = [...this.bins.keys()].sort((a, b) => a - b);
    for (const idx of keys) {
      seen += this.bins.get(idx) ?? 0;
      if (seen > rank) {
        // The bucket's representative value: its relative error is at most alpha.
        const v = (2 * Math.exp(idx * this.logGamma)) / (Math.exp(this.logGamma) + 1);
        return Math.min(Math.max(v, this.min), this.max);
      }
    }
    return this.max;
  }

  toJSON(): QuantileSketchJson {
    const bins = [...this.bins.entries()].sort((a, b) => a[0] - b[0]);
    return { alpha: this.alpha, count: this.count, zero: this.zero, sum: this.sum, min: this.count ? this.min : 0, max: this.count ? this.max : 0, bins };
  }

  static fromJSON(json: QuantileSketchJson): QuantileSketch {
    const s = new QuantileSketch(json.alpha);
    for (const [idx, n] of json.bins) s.bins.set(idx, n);
    s.zero = json.zero;
    s.count = json.count;
    s.sum = json.sum;
    s.min = json.count ? json.min : Infinity;
    s.max = json.count ? json.max : -Infinity;
    return s;
  }
}
