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
  n: number;
}

export interface SeasonalBaseline {
  byHour: Array<RobustStats | null>;
  all: RobustStats | null;
}

/** Fewest past values of one hour of day before the seasonal baseline is used. */
const MIN_SEASONAL = 3;
/** Fewest past values in all before any baseline is used (the detector is learning until then). */
const MIN_OVERALL = 12;

export function median(values: readonly number[]): number {
  const s = values.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function robustStats(values: readonly number[]): RobustStats | null {
  if (values.length === 0) return null;
  const med = median(values);
  return { median: med, mad: median(values.map((v) => Math.abs(v - med))), n: values.length };
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

/** Significance of a failure ratio measured over `count` calls at time `now`; undefined while learning. */
export function ratioAnomaly(baseline: SeasonalBaseline, now: number, ratio: number, count: number): AnomalyScore | undefined {
  const hourStats = baseline.byHour[new Date(now).getUTCHours()];
  const stats = hourStats ?? baseline.all;
  if (!stats || count <= 0) return undefined;
  // Binomial noise of the current window, at the expected ratio (at least one event in the window's size).
  const p = Math.min(0.5, Math.max(stats.median, 1 / (count + 1)));
  const spread = Math.sqrt((1.4826 * stats.mad) ** 2 + (p * (1 - p)) / count);
  return { expected: stats.median, spread, significance: (ratio - stats.median) / spread, seasonal: hourStats !== null };
}

/** Significance of a latency (ms) measured over `count` calls; undefined while learning. */
export function latencyAnomaly(baseline: SeasonalBaseline, now: number, valueMs: number, count: number, relativeAccuracy = 0.02): AnomalyScore | undefined {
  const hourStats = baseline.byHour[new Date(now).getUTCHours()];
  const stats = hourStats ?? baseline.all;
  if (!stats || count <= 0) return undefined;
  // The sketch cannot tell apart values closer than its accuracy, and a median of few calls wanders: both widen the spread.
  const floor = stats.median * Math.max(2 * relativeAccuracy, 1 / Math.sqrt(count));
  const spread = Math.max(1.4826 * stats.mad, floor, 1e-3);
  return { expected: stats.median, spread, significance: (valueMs - stats.median) / spread, seasonal: hourStats !== null };
}
