// Evaluates one series (a provider or an endpoint) at a tick: its SLOs with budgets and burn
// rates, the burn-rate conditions that hold, and its 5-minute and 1-hour counts for state and score.
import type { AlertRuleSettings, SloDefinition } from '../engine-settings.js';
import type { EndpointInfo } from '../rollups/aggregator.js';
import { LEVEL_MS } from '../rollups/bucket.js';
import { NO_CHECKS, type SeriesChecks } from '../alerts/check-streaks.js';
import type { SliCounts, SliWindows } from '../rollups/sli-windows.js';
import type { SloStatus } from '../snapshot/health-snapshot.js';
import { evaluateSlo, RECENT_WINDOW_MS, slosFor, windowsNeeded, type BurnCondition } from './slo-evaluator.js';

/** The short window of state and attribution, and the long one of the score. */
export const FIVE_MINUTES = 5 * LEVEL_MS.minute;

export interface SeriesEvaluation {
  key: string;
  providerId: string;
  /** The endpoint, or null for a provider's own series. */
  endpoint: EndpointInfo | null;
  five: SliCounts;
  recent: SliCounts;
  hour: SliCounts;
  slos: SloStatus[];
  /** SLOs whose burn-rate rules hold now, with the conditions. */
  firing: Array<{ slo: SloDefinition; conditions: BurnCondition[] }>;
  /** Every check of the series passed the runs in a row that end a CheckFailing page (false without checks). */
  checksPassing: boolean;
}

export class SeriesEvaluator {
  /** Distinct latency thresholds of the SLOs: SliWindows counts calls under each. */
  readonly thresholdsMs: number[];
  /** Every window an evaluation reads (SLO windows, burn-rate windows, 5 min and 1 h). */
  private readonly windowLengths: number[];

  constructor(private readonly slos: readonly SloDefinition[], private readonly rules: AlertRuleSettings) {
    this.thresholdsMs = [...new Set(slos.filter((s) => s.thresholdMs !== undefined).map((s) => s.thresholdMs as number))];
    this.windowLengths = [...new Set([...windowsNeeded(slos, rules.burnRates), RECENT_WINDOW_MS, FIVE_MINUTES, LEVEL_MS.hour])];
  }

  /**
   * `checks`: what the series' checks say. The volume guard scales with their runs an hour, so a
   * series watched by a check every 2 minutes (30 runs an hour) needs 15 events an hour, not
   * minEventsPerHour; the state reads whether they pass again.
   */
  evaluate(windows: SliWindows, key: string, providerId: string, endpoint: EndpointInfo | null, now: number, checks: SeriesChecks = NO_CHECKS): SeriesEvaluation {
    const runs = checks.runsPerHour;
    const minEvents = runs > 0 ? Math.min(this.rules.minEventsPerHour, Math.ceil(runs / 2)) : this.rules.minEventsPerHour;
    const slos = slosFor(this.slos, endpoint ? 'endpoint' : 'provider', providerId, endpoint?.id);
    const counts = windows.sums(key, this.windowLengths, now);
    const countsAt = (ms: number) => counts.get(ms) ?? windows.sum(key, ms, now);
    const statuses: SloStatus[] = [];
    const firing: SeriesEvaluation['firing'] = [];
    for (const slo of slos) {
      const thresholdIndex = slo.thresholdMs === undefined ? -1 : this.thresholdsMs.indexOf(slo.thresholdMs);
      const evaluation = evaluateSlo(slo, countsAt, thresholdIndex, this.rules.burnRates, minEvents);
      statuses.push(evaluation.status);
      // Global SLOs alert per provider; an endpoint alerts only for an SLO that names it.
      if (evaluation.firing.length > 0 && (endpoint === null || slo.endpoint !== undefined)) firing.push({ slo, conditions: evaluation.firing });
    }
    return { key, providerId, endpoint, five: countsAt(FIVE_MINUTES), recent: countsAt(RECENT_WINDOW_MS), hour: countsAt(LEVEL_MS.hour), slos: statuses, firing, checksPassing: checks.passingAgain };
  }

  /** The latency SLO's threshold and its index among the thresholds, for the score. */
  latencyThreshold(): { index: number; thresholdMs: number | null } {
    const slo = this.slos.find((s) => s.kind === 'latency');
    return slo?.thresholdMs === undefined ? { index: -1, thresholdMs: null } : { index: this.thresholdsMs.indexOf(slo.thresholdMs), thresholdMs: slo.thresholdMs };
  }
}
