// How often a check runs, as runs an hour: from its interval, or from the period between the next
// two times of its cron expression.
import { Cron } from 'croner';
import type { Check, CheckSchedule } from './types.js';

export function runsPerHour(schedule: CheckSchedule): number {
  if ('intervalMs' in schedule) return 3_600_000 / schedule.intervalMs;
  const [a, b] = new Cron(schedule.cron, { paused: true }).nextRuns(2);
  return a && b ? 3_600_000 / (b.getTime() - a.getTime()) : 0;
}

/** What the reliability engine needs of each configured check. */
export function checkPolicies(checks: readonly Check[]): Array<{ name: string; failureThreshold: number; successThreshold: number; warnDays?: number; runsPerHour: number }> {
  return checks.map((c) => ({
    name: c.name,
    failureThreshold: c.failureThreshold,
    successThreshold: c.successThreshold,
    ...(c.type === 'tls' ? { warnDays: c.warnDays } : {}),
    runsPerHour: runsPerHour(c.schedule),
  }));
}
