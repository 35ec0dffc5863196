// Anomalies of each provider's failure ratio and median latency: the last 15 minutes against a
// seasonal baseline (src/health/evaluation/anomaly.ts) rebuilt from hourly history once an hour.
import { LatencySketch } from '../../sketch/latency-sketch.js';
import type { AlertCandidate } from '../alerts/alert-book.js';
import type { Attribution } from '../alerts/alert.js';
import { anomalyCandidate } from '../alerts/alert-candidates.js';
import type { EngineStore } from '../engine-store.js';
import type { AlertRuleSettings } from '../engine-settings.js';
import { bucketCalls } from '../rollups/bucket-merge.js';
import { inScope, LEVEL_MS, SCOPE_PREFIX, seriesKey, type Bucket } from '../rollups/bucket.js';
import type { SliWindows } from '../rollups/sli-windows.js';
import { buildBaseline, latencyAnomaly, ratioAnomaly, type SeasonalBaseline } from './anomaly.js';

/** The present an anomaly looks at. */
const RECENT_MS = 15 * LEVEL_MS.minute;

interface ProviderBaselines {
  ratio: SeasonalBaseline;
  latency: SeasonalBaseline;
}

export class AnomalyDetector {
  /** Provider minute buckets of the last RECENT_MS: the present value of the latency signal. */
  private recent: Bucket[] = [];
  private baselines = new Map<string, ProviderBaselines>();
  private baselineHour = -1;

  constructor(private readonly settings: AlertRuleSettings['anomaly']) {}

  /** Minute buckets as they are flushed (or loaded from the store at start). */
  observe(minutes: readonly Bucket[], now: number): void {
    for (const b of minutes) if (inScope(b.key, 'provider') && b.start >= now - RECENT_MS) this.recent.push(b);
  }

  /** Rebuilds the baselines from hourly history when the hour changed; drops what left the window. */
  async refresh(store: EngineStore, now: number, yieldIfDue: () => Promise<void>): Promise<void> {
    this.recent = this.recent.filter((b) => b.start >= now - RECENT_MS);
    const hourStart = now - (now % LEVEL_MS.hour);
    if (hourStart === this.baselineHour) return;
    this.baselineHour = hourStart;
    const buckets = await store.queryBuckets({ level: 'hour', from: hourStart - this.settings.historyDays * LEVEL_MS.day, to: hourStart, keyPrefix: SCOPE_PREFIX.provider });
    const byKey = new Map<string, Bucket[]>();
    for (const b of buckets) {
      const list = byKey.get(b.key);
      if (list) list.push(b);
      else byKey.set(b.key, [b]);
    }
    // An hour is a sample when it holds at least a quarter hour's worth of the minimum volume.
    const minCount = Math.max(1, Math.ceil(this.settings.minEvents / 4));
    const baselines = new Map<string, ProviderBaselines>();
    for (const [key, list] of byKey) {
      await yieldIfDue();
      const ratio = list.map((b) => {
        const c = bucketCalls(b.counters);
        return { start: b.start, value: c.total > 0 ? c.failed / c.total : NaN, count: c.total };
      });
      const latency = list.map((b) => {
        const s = callLatency([b]);
        return { start: b.start, value: s.quantile(0.5) ?? NaN, count: s.count };
      });
      baselines.set(key, { ratio: buildBaseline(ratio, minCount), latency: buildBaseline(latency, minCount) });
    }
    this.baselines = baselines;
  }

  /** Alert candidates of the providers whose recent failure ratio or latency is unusual. */
  async candidates(
    providers: Iterable<string>,
    windows: SliWindows,
    now: number,
    attributionOf: (providerId: string) => Attribution,
    yieldIfDue: () => Promise<void>,
  ): Promise<AlertCandidate[]> {
    const out: AlertCandidate[] = [];
    if (!this.settings.enabled) return out;
    for (const p of providers) {
      await yieldIfDue();
      const key = seriesKey('provider', p);
      const base = this.baselines.get(key);
      if (!base) continue;
      const recent = windows.sum(key, RECENT_MS, now + 1);
      if (recent.total >= this.settings.minEvents) {
        const ratio = recent.failed / recent.total;
        const score = ratioAnomaly(base.ratio, now - RECENT_MS, now, ratio, recent.total);
        if (score && score.significance >= this.settings.significance) out.push(anomalyCandidate('failure_ratio', p, ratio, recent.total, score, attributionOf(p)));
      }
      const latency = callLatency(this.recent.filter((b) => b.key === key && b.start >= now - RECENT_MS));
      const p50 = latency.quantile(0.5);
      if (p50 !== null && latency.count >= this.settings.minEvents) {
        const score = latencyAnomaly(base.latency, now - RECENT_MS, now, p50, latency.count);
        if (score && score.significance >= this.settings.significance) out.push(anomalyCandidate('latency', p, p50, latency.count, score, attributionOf(p)));
      }
    }
    return out;
  }
}

/** Connect and check latency of some buckets, merged: what "a call's latency" means for anomalies. */
function callLatency(buckets: readonly Bucket[]): LatencySketch {
  const s = new LatencySketch();
  for (const b of buckets) {
    if (b.latency.connect) s.merge(b.latency.connect);
    if (b.latency.probeTotal) s.merge(b.latency.probeTotal);
  }
  return s;
}
