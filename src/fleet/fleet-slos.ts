// The fleet's SLOs per provider, as an agent shows them for its host, from every host's series
// pooled: what the SLO window attained and the budget left, from daily increases (each kind of
// call weighing the same, as the engine and the shipped recording rules weigh them), and the burn
// rate of each alert window from the recording rules (deploy/prometheus/egresswatch-rules.yml).
import type { BurnRateRule, SloDefinition } from '../health/engine-settings.js';
import { slosFor, windowLabel } from '../health/evaluation/slo-evaluator.js';
import type { SloStatus } from '../health/snapshot/health-snapshot.js';
import type { PrometheusClient } from './prometheus-client.js';

const DAY = 86_400_000;
/** Windows the shipped rules record, by their label. */
const RECORDED = /^provider:egresswatch_(call_failures|connects_slow):ratio_rate(\d+[mhd])$/;
/** The connect-latency threshold the rules' connects_slow ratios count against, ms. */
const RULES_THRESHOLD_MS = 1000;

/** Daily sums per provider: calls and failures by kind, timed connects and those under each threshold. */
export interface DailySli {
  /** provider → kind → [day end (s), calls, failures][] */
  calls: Map<string, Map<string, Array<[number, number, number]>>>;
  /** provider → [day end (s), connects timed][] */
  timed: Map<string, Array<[number, number]>>;
  /** provider → threshold (ms) → [day end (s), connects under it][] */
  fast: Map<string, Map<number, Array<[number, number]>>>;
}

/** Bucket bounds of egresswatch_connect_duration_seconds, as its `le` label writes them. */
const le = (ms: number) => String(ms / 1000);

/** The daily queries behind the SLOs (and the 90-day bars): `days` day-end points up to today's. */
export async function dailySli(prom: PrometheusClient, now: number, days: number, kinds: string, thresholdsMs: readonly number[]): Promise<DailySli> {
  const today = now - (now % DAY);
  const from = today - (days - 2) * DAY;
  const range = (promql: string) => prom.queryRange(promql, from, today + DAY, 86_400);
  const [calls, failed, timed, ...fast] = await Promise.all([
    range(`sum by (provider, kind) (increase(egresswatch_calls_total{${kinds}}[1d]))`),
    range(`sum by (provider, kind) (increase(egresswatch_call_failures_total{${kinds}}[1d]))`),
    range('sum by (provider) (increase(egresswatch_connect_duration_seconds_count[1d]))'),
    ...thresholdsMs.map((ms) => range(`sum by (provider) (increase(egresswatch_connect_duration_seconds_bucket{le="${le(ms)}"}[1d]))`)),
  ]);
  const failedAt = new Map(failed.map((s) => [`${s.labels.provider}\u0000${s.labels.kind}`, new Map(s.values)]));
  const out: DailySli = { calls: new Map(), timed: new Map(), fast: new Map() };
  for (const s of calls) {
    const byKind = out.calls.get(s.labels.provider) ?? new Map<string, Array<[number, number, number]>>();
    const f = failedAt.get(`${s.labels.provider}\u0000${s.labels.kind}`);
    byKind.set(s.labels.kind, s.values.map(([t, v]) => [t, v, f?.get(t) ?? 0]));
    out.calls.set(s.labels.provider, byKind);
  }
  for (const s of timed) out.timed.set(s.labels.provider, s.values);
  thresholdsMs.forEach((ms, i) => {
    for (const s of fast[i]) {
      const byThreshold = out.fast.get(s.labels.provider) ?? new Map<number, Array<[number, number]>>();
      byThreshold.set(ms, s.values);
      out.fast.set(s.labels.provider, byThreshold);
    }
  });
  return out;
}

/**
 * Latency thresholds the SLOs need. Each must be a bucket bound of the connect histogram: for
 * any other, Prometheus has no series and the SLO shows no data.
 */
export function thresholdsOf(slos: readonly SloDefinition[]): number[] {
  return [...new Set(slos.filter((s) => s.kind === 'latency' && s.thresholdMs !== undefined).map((s) => s.thresholdMs!))];
}

/** Recorded ratios by provider: "call_failures|1h" → ratio. */
export async function recordedRatios(prom: PrometheusClient, now: number): Promise<Map<string, Map<string, number>>> {
  const samples = await prom.query('{__name__=~"provider:egresswatch_(call_failures|connects_slow):ratio_rate.+"}', now);
  const out = new Map<string, Map<string, number>>();
  for (const s of samples) {
    const m = RECORDED.exec(s.labels.__name__ ?? '');
    if (!m || !s.labels.provider || !Number.isFinite(s.value)) continue;
    const byWindow = out.get(s.labels.provider) ?? new Map<string, number>();
    byWindow.set(`${m[1]}|${m[2]}`, s.value);
    out.set(s.labels.provider, byWindow);
  }
  return out;
}

const round = (v: number) => Math.round(v * 10_000) / 10_000;

/** Sums of the day-end points inside the window ending now. */
function inWindow<T extends [number, ...number[]]>(points: readonly T[] | undefined, now: number, windowMs: number): T[] {
  return (points ?? []).filter(([t]) => t * 1000 > now - windowMs && t * 1000 - DAY < now);
}

/** The SLO statuses of one provider. */
export function providerSlos(
  provider: string, slos: readonly SloDefinition[], rules: readonly BurnRateRule[], daily: DailySli, ratios: Map<string, number> | undefined, now: number,
): SloStatus[] {
  const out: SloStatus[] = [];
  for (const slo of slosFor(slos, 'provider', provider)) {
    const allowed = 1 - slo.objective;
    let badFraction: number | null = null;
    let total = 0;
    let signals: SloStatus['signals'];
    if (slo.kind === 'success') {
      // Each kind of call weighs the same: the mean of the kinds' failure ratios.
      const ratiosByKind: number[] = [];
      const totals: Record<string, number> = {};
      for (const [kind, points] of daily.calls.get(provider) ?? []) {
        const days = inWindow(points, now, slo.windowMs);
        const calls = days.reduce((s, [, c]) => s + c, 0);
        const failed = days.reduce((s, [, , f]) => s + f, 0);
        totals[kind] = Math.round(calls);
        total += Math.round(calls);
        if (calls > 0) ratiosByKind.push(Math.min(1, failed / calls));
      }
      badFraction = ratiosByKind.length ? ratiosByKind.reduce((a, b) => a + b, 0) / ratiosByKind.length : null;
      signals = { connects: totals.connect ?? 0, checkRuns: totals.check ?? 0 };
    } else {
      const fastPoints = slo.thresholdMs === undefined ? undefined : daily.fast.get(provider)?.get(slo.thresholdMs);
      const timed = inWindow(daily.timed.get(provider), now, slo.windowMs).reduce((s, [, v]) => s + v, 0);
      const fast = inWindow(fastPoints, now, slo.windowMs).reduce((s, [, v]) => s + v, 0);
      total = Math.round(timed);
      if (timed > 0 && fastPoints) badFraction = Math.max(0, 1 - fast / timed);
      signals = { timedCalls: total };
    }
    // The recording rules count slow connects against 1 s: other thresholds have no burn rates.
    const recorded = slo.kind === 'success' ? 'call_failures' : slo.thresholdMs === RULES_THRESHOLD_MS ? 'connects_slow' : undefined;
    const burnRates: Record<string, number | null> = {};
    for (const rule of rules) {
      for (const ms of [rule.longMs, rule.shortMs]) {
        const ratio = recorded ? ratios?.get(`${recorded}|${windowLabel(ms)}`) : undefined;
        burnRates[windowLabel(ms)] = ratio === undefined ? null : round(ratio / allowed);
      }
    }
    const status: SloStatus = {
      slo: slo.name, kind: slo.kind, objective: slo.objective, windowMs: slo.windowMs,
      attained: badFraction === null ? null : 1 - badFraction,
      budgetRemaining: badFraction === null ? null : round(Math.max(0, 1 - badFraction / allowed)),
      budgetSpent: badFraction === null ? null : round(badFraction / allowed),
      burnRates, total, signals,
    };
    if (slo.thresholdMs !== undefined) status.thresholdMs = slo.thresholdMs;
    out.push(status);
  }
  return out;
}
