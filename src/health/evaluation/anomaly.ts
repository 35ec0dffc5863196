// Anomaly detection with a robust seasonal baseline: median and MAD of each signal per hour of day.
//
// The baseline learns from hourly history (the last N days): for the current hour of day it takes
// the median and the median absolute deviation of that hour's past values (falling back to all
// hours while fewer than 3 days are known). The significance of the current value is
// (value − median) / spread, where spread combines 1.4826 × MAD (the robust standard deviation)
// with the sampling noise of the current window (binomial for ratios; the sketch's accuracy for
// latency), so no threshold is set by hand per signal: one significance level serves all.

export interface BaselineSample {
  /** Hour start (ms). */
  start: number;
  value: number;
  /** Calls behind the value. */
  count: number;
}

export interface RobustStats {
  median: number;
  mad: number;
  /** 10th and 90th percentiles: a bimodal history (day and night) has a small MAD but a wide range. */
  q10: number;
  q90: number;
  n: number;
}

export interface SeasonalBaseline {
  byHour: Array<RobustStats | null>;
  all: RobustStats | null;
}

/** Fewest past values of one hour of day before the seasonal baseline is used. */
const MIN_SEASONAL = 3;
/** Fewest past values in all before any baseline is used: a full day, so the detector has seen day and night. */
const MIN_OVERALL = 24;

export function median(values: readonly number[]): number {
  const s = values.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function robustStats(values: readonly number[]): RobustStats | null {
  if (values.length === 0) return null;
  const med = median(values);
  const sorted = values.slice().sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { median: med, mad: median(values.map((v) => Math.abs(v - med))), q10: at(0.1), q90: at(0.9), n: values.length };
}

export function buildBaseline(samples: readonly BaselineSample[], minCount: number): SeasonalBaseline {
  const hours: number[][] = Array.from({ length: 24 }, () => []);
  const all: number[] = [];
  for (const s of samples) {
    if (s.count < minCount || !Number.isFinite(s.value)) continue;
    hours[new Date(s.start).getUTCHours()].push(s.value);
    all.push(s.value);
  }
  return {
    byHour: hours.map((v) => (v.length >= MIN_SEASONAL ? robustStats(v) : null)),
    all: all.length >= MIN_OVERALL ? robustStats(all) : null,
  };
}

export interface AnomalyScore {
  /** Expected value (the baseline's median) and the spread used. */
  expected: number;
  spread: number;
  /** (value − expected) / spread; positive when worse than usual. */
  significance: number;
  /** Which baseline was used. */
  seasonal: boolean;
}

/**
 * The baseline for a window [from, to): when it spans two hours of day, the more lenient (higher)
 * median of the two, so a daily step (busy hours starting) is not mistaken for an anomaly.
 */
function statsFor(baseline: SeasonalBaseline, from: number, to: number): { stats: RobustStats; seasonal: boolean; minSpread: number } | undefined {
  const hours = [...new Set([new Date(from).getUTCHours(), new Date(to - 1).getUTCHours()])];
  const seasonal = hours.map((h) => baseline.byHour[h]);
  if (seasonal.every((x): x is RobustStats => x !== null)) {
    return { stats: seasonal.reduce((a, b) => (b.median > a.median ? b : a)), seasonal: true, minSpread: 0 };
  }
  // All hours mixed: the daily pattern is not yet separable, so the whole 10–90 % range counts as normal spread.
  return baseline.all ? { stats: baseline.all, seasonal: false, minSpread: (baseline.all.q90 - baseline.all.q10) / 2.563 } : undefined;
}

/** Significance of a failure ratio measured over `count` calls in [from, to); undefined while learning. */
export function ratioAnomaly(baseline: SeasonalBaseline, from: number, to: number, ratio: number, count: number): AnomalyScore | undefined {
  const found = statsFor(baseline, from, to);
  if (!found || count <= 0) return undefined;
  const { stats } = found;
  // Binomial noise of the current window, at the expected ratio (at least one event in the window's size).
  const p = Math.min(0.5, Math.max(stats.median, 1 / (count + 1)));
  const spread = Math.max(found.minSpread, Math.sqrt((1.4826 * stats.mad) ** 2 + (p * (1 - p)) / count));
  return { expected: stats.median, spread, significance: (ratio - stats.median) / spread, seasonal: found.seasonal };
}

/** Significance of a latency (ms) measured over `count` calls in [from, to); undefined while learning. */
export function latencyAnomaly(baseline: SeasonalBaseline, from: number, to: number, valueMs: number, count: number, relativeAccuracy = 0.02): AnomalyScore | undefined {
  const found = statsFor(baseline, from, to);
  if (!found || count <= 0) return undefined;
  const { stats } = found;
  // The sketch cannot tell apart values closer than its accuracy, and a median of few calls wanders: both widen the spread.
  const floor = stats.median * Math.max(2 * relativeAccuracy, 1 / Math.sqrt(count));
  const spread = Math.max(1.4826 * stats.mad, floor, found.minSpread, 1e-3);
  return { expected: stats.median, spread, significance: (valueMs - stats.median) / spread, seasonal: found.seasonal };
}
