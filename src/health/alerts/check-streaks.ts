// The consecutive-runs rule of checks (as Gatus' failure and success thresholds): a check that
// failed `failureThreshold` runs in a row pages, whatever its schedule, and stays failing until
// `successThreshold` runs in a row pass. Burn-rate rules need volume; a check every two minutes
// never has it, but three failures in a row are plain evidence.
import type { ProbeResult } from '../../events.js';
import type { AlertCandidate } from './alert-book.js';
import type { Alert, Attribution } from './alert.js';

export interface CheckThresholds {
  failureThreshold: number;
  successThreshold: number;
  /** TLS checks: days under which the certificate warns (HTTPS checks warn under 21 days). */
  warnDays?: number;
  /** Runs an hour (from the check's interval or cron period), for the burn-rate volume guard. */
  runsPerHour?: number;
}

/** Used for a check the configuration does not (or no longer) name. */
const DEFAULT_THRESHOLDS: CheckThresholds = { failureThreshold: 3, successThreshold: 2 };
const ALERT_NAME = 'CheckFailing';

interface Streak {
  providerId: string;
  endpointId: string;
  failures: number;
  /** Length of the last run of failures (kept while the check recovers). */
  lastStreak: number;
  passes: number;
  failing: boolean;
  lastError: string;
  target: string;
}

/** What a series' checks say: their runs an hour and whether they all pass again. */
export interface SeriesChecks {
  runsPerHour: number;
  passingAgain: boolean;
}

/** A series without checks. */
export const NO_CHECKS: SeriesChecks = { runsPerHour: 0, passingAgain: false };

export class CheckStreaks {
  private thresholds = new Map<string, CheckThresholds>();
  private readonly streaks = new Map<string, Streak>();

  /** The configured checks' thresholds; checks no longer configured are forgotten. */
  configure(checks: ReadonlyArray<{ name: string } & CheckThresholds>): void {
    this.thresholds = new Map(checks.map((c) => [c.name, { failureThreshold: c.failureThreshold, successThreshold: c.successThreshold, warnDays: c.warnDays, runsPerHour: c.runsPerHour }]));
    for (const name of this.streaks.keys()) if (!this.thresholds.has(name)) this.streaks.delete(name);
  }

  /** Alerts of this rule still firing from before a restart: the checks stay failing until they pass. */
  restore(active: readonly Alert[]): void {
    for (const a of active) {
      if (a.name !== ALERT_NAME || !a.labels.check || a.providerId === null || a.endpointId === null) continue;
      const failures = a.values.failures ?? 0;
      this.streaks.set(a.labels.check, { providerId: a.providerId, endpointId: a.endpointId, failures, lastStreak: failures, passes: 0, failing: true, lastError: a.labels.error ?? '', target: a.labels.target ?? '' });
    }
  }

  /**
   * The checks counting for a provider, or for one endpoint of it: their runs an hour, and
   * whether every one passed its last runs in a row, as many as end a CheckFailing page (false
   * when none counts for it).
   */
  ofSeries(providerId: string, endpointId?: string): SeriesChecks {
    let runsPerHour = 0;
    let any = false;
    let allPassing = true;
    for (const [check, s] of this.streaks) {
      if (s.providerId !== providerId || (endpointId !== undefined && s.endpointId !== endpointId)) continue;
      const t = this.thresholds.get(check) ?? DEFAULT_THRESHOLDS;
      runsPerHour += t.runsPerHour ?? 0;
      allPassing &&= s.passes >= t.successThreshold;
      any = true;
    }
    return { runsPerHour, passingAgain: any && allPassing };
  }

  /** One run of a check, with the provider and endpoint it counts for. */
  observe(result: ProbeResult, providerId: string, endpointId: string): void {
    const t = this.thresholds.get(result.check) ?? DEFAULT_THRESHOLDS;
    let s = this.streaks.get(result.check);
    if (!s) {
      s = { providerId, endpointId, failures: 0, lastStreak: 0, passes: 0, failing: false, lastError: '', target: result.target };
      this.streaks.set(result.check, s);
    }
    s.providerId = providerId;
    s.endpointId = endpointId;
    s.target = result.target;
    if (result.ok) {
      s.passes++;
      s.failures = 0;
      if (s.failing && s.passes >= t.successThreshold) s.failing = false;
    } else {
      s.failures++;
      s.lastStreak = s.failures;
      s.passes = 0;
      s.lastError = result.error ? `${result.error.kind}: ${result.error.message}` : 'failed';
      if (s.failures >= t.failureThreshold) s.failing = true;
    }
  }

  /** One page per failing check. */
  candidates(attributionOf: (providerId: string) => Attribution): AlertCandidate[] {
    const out: AlertCandidate[] = [];
    for (const [check, s] of this.streaks) {
      if (!s.failing) continue;
      const needed = (this.thresholds.get(check) ?? DEFAULT_THRESHOLDS).successThreshold;
      const failed = `failed ${s.lastStreak} run${s.lastStreak === 1 ? '' : 's'} in a row`;
      const runs = s.failures > 0 ? failed : `${failed}, then passed ${s.passes} (${needed} passing runs in a row end it)`;
      out.push({
        fingerprint: `check|${check}`,
        name: ALERT_NAME,
        severity: 'page',
        providerId: s.providerId,
        endpointId: s.endpointId,
        summary: `check ${check} (${s.target}) ${runs}; last error ${s.lastError}`,
        labels: { check, target: s.target, error: s.lastError },
        values: { failures: s.failures },
        attribution: attributionOf(s.providerId),
      });
    }
    return out;
  }
}
