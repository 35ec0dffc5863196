// SLO attainment, error budget and multiwindow, multi-burn-rate alert conditions (as the SRE workbook defines them).
//
// burn rate over a window = error ratio in the window / (1 − objective), the error ratio of a
// success SLO weighing each kind of call the same (connects, check runs); a rule fires when both
// its long and its short window burn at least `factor` times the sustainable rate, and the long
// window saw at least minEventsPerHour × its length in hours (so a provider called twice an hour
// never pages), at least MIN_BAD_EVENTS bad events (a handful of failures among little traffic,
// one client retrying a closed port, is no outage), and the short window at least one bad event.
import type { BurnRateRule } from '../engine-settings.js';
import type { SloDefinition } from '../engine-settings.js';
import type { SloStatus } from '../snapshot/health-snapshot.js';
import type { SliCounts } from '../rollups/sli-windows.js';
import { LEVEL_MS } from '../rollups/bucket.js';
import { weightedFailureRatio } from './call-kinds.js';

/** Bad events a burn-rate rule needs in its long window before it fires. */
export const MIN_BAD_EVENTS = 5;

/**
 * The window that says whether failures are still happening (here: with RECENT_MIN_EVENTS or more
 * and none bad, they have stopped; in score.ts: the state is recovering). The rules' short windows
 * (5 minutes and more) hold an outage for minutes after it ended. Windows count the whole minute
 * buckets that start inside them, so this one holds the last 2 to 3 minutes: a check every 10 s
 * makes 12 runs or more in it whatever the second of the tick. A 2-minute window held 7 to 12,
 * and a provider read "recovering" and "partial outage" in turn within each minute.
 */
export const RECENT_WINDOW_MS = 3 * LEVEL_MS.minute;
/** Events the recent window needs before it can say that failures have stopped. */
export const RECENT_MIN_EVENTS = 10;

const { hour: HOUR } = LEVEL_MS;

/** "5m", "1h", "3d": the label of a window. */
export function windowLabel(ms: number): string {
  if (ms % LEVEL_MS.day === 0) return `${ms / LEVEL_MS.day}d`;
  if (ms % HOUR === 0) return `${ms / HOUR}h`;
  if (ms % LEVEL_MS.minute === 0) return `${ms / LEVEL_MS.minute}m`;
  return `${ms / 1000}s`;
}

/** A burn-rate rule whose condition holds now. */
export interface BurnCondition {
  rule: BurnRateRule;
  longBurn: number;
  shortBurn: number;
  longTotal: number;
  longBad: number;
  /** The SLO's recent window (RECENT_WINDOW_MS) holds 10 events or more and none bad: what burns is over. */
  stopped: boolean;
}

export interface SloEvaluation {
  status: SloStatus;
  firing: BurnCondition[];
}

/** Good and bad counts of an SLO's SLI in counts from the windows. */
/**
 * An SLO's bad and total events over a window. For a success SLO, `bad` is weighted so that each
 * kind of call (connects, check runs) weighs the same (call-kinds.ts); `badEvents` is the plain
 * count, for the volume guard.
 */
function badAndTotal(slo: SloDefinition, c: SliCounts, thresholdIndex: number): { bad: number; total: number; badEvents: number } {
  if (slo.kind === 'success') return { bad: (weightedFailureRatio(c) ?? 0) * c.total, total: c.total, badEvents: c.failed };
  const good = c.latGood[thresholdIndex] ?? 0;
  return { bad: c.latTotal - good, total: c.latTotal, badEvents: c.latTotal - good };
}

/** Every window length an evaluation of these SLOs and rules reads. */
export function windowsNeeded(slos: readonly SloDefinition[], rules: readonly BurnRateRule[]): number[] {
  return [...new Set([...slos.map((s) => s.windowMs), ...rules.flatMap((r) => [r.longMs, r.shortMs]), RECENT_WINDOW_MS])];
}

/**
 * Evaluates one SLO of one series. `countsAt(windowMs)` gives the SLI counts over a window ending
 * now (SliWindows.sums computes them all in one pass); thresholdIndex is the SLO threshold's
 * index in SliCounts.latGood (-1 for success SLOs).
 */
export function evaluateSlo(
  slo: SloDefinition,
  countsAt: (windowMs: number) => SliCounts,
  thresholdIndex: number,
  rules: readonly BurnRateRule[],
  minEventsPerHour: number,
): SloEvaluation {
  const allowed = 1 - slo.objective;
  const cache = new Map<number, { bad: number; total: number; badEvents: number }>();
  const at = (ms: number) => {
    let v = cache.get(ms);
    if (!v) {
      v = badAndTotal(slo, countsAt(ms), thresholdIndex);
      cache.set(ms, v);
    }
    return v;
  };
  const burn = (ms: number): number | null => {
    const { bad, total } = at(ms);
    return total > 0 ? bad / total / allowed : null;
  };
  const whole = at(slo.windowMs);
  const wholeCounts = countsAt(slo.windowMs);
  const burnRates: Record<string, number | null> = {};
  const firing: BurnCondition[] = [];
  const recent = at(RECENT_WINDOW_MS);
  const stopped = recent.total >= RECENT_MIN_EVENTS && recent.badEvents === 0;
  for (const rule of rules) {
    const longBurn = burn(rule.longMs);
    const shortBurn = burn(rule.shortMs);
    burnRates[windowLabel(rule.longMs)] = longBurn === null ? null : round(longBurn);
    burnRates[windowLabel(rule.shortMs)] = shortBurn === null ? null : round(shortBurn);
    if (longBurn === null || shortBurn === null) continue;
    const long = at(rule.longMs);
    const volumeOk = long.total >= minEventsPerHour * (rule.longMs / HOUR) && long.badEvents >= MIN_BAD_EVENTS && at(rule.shortMs).badEvents > 0;
    if (volumeOk && longBurn >= rule.factor && shortBurn >= rule.factor) {
      firing.push({ rule, longBurn, shortBurn, longTotal: long.total, longBad: long.badEvents, stopped });
    }
  }
  const status: SloStatus = {
    slo: slo.name,
    kind: slo.kind,
    objective: slo.objective,
    windowMs: slo.windowMs,
    attained: whole.total > 0 ? 1 - whole.bad / whole.total : null,
    budgetRemaining: whole.total > 0 ? round(Math.max(0, 1 - whole.bad / (allowed * whole.total))) : null,
    budgetSpent: whole.total > 0 ? round(whole.bad / (allowed * whole.total)) : null,
    burnRates,
    total: whole.total,
    // Which signals the SLO counted: a success SLO every call; a latency SLO the timed ones.
    signals: slo.kind === 'success'
      ? { connects: wholeCounts.tcpAttempts, checkRuns: wholeCounts.total - wholeCounts.tcpAttempts }
      : { timedCalls: wholeCounts.latTotal },
  };
  if (slo.thresholdMs !== undefined) status.thresholdMs = slo.thresholdMs;
  return { status, firing };
}

function round(v: number): number {
  return Math.round(v * 10_000) / 10_000;
}

/** Which SLOs apply to a series: those naming it, else those naming its provider, else the global ones (providers only). */
export function slosFor(slos: readonly SloDefinition[], scope: 'provider' | 'endpoint', providerId: string, endpointId?: string): SloDefinition[] {
  return slos.filter((s) => {
    if (s.endpoint !== undefined) return scope === 'endpoint' && s.endpoint === endpointId;
    if (s.provider !== undefined) return s.provider === providerId;
    return true;
  });
}
