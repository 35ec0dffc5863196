// Keeps each provider's closed days of the 90-day uptime bars between ticks: a past day changes
// only at midnight, with a late bucket for it, or with an incident or maintenance window that
// overlaps it, so a tick recomputes today's bar alone instead of 90 days of sketches.
import { type Bucket, LEVEL_MS } from '../rollups/bucket.js';
import type { DayUptime } from './health-snapshot.js';
import type { Incident } from '../alerts/incident.js';
import type { MaintenanceWindow } from '../alerts/suppression.js';
import { uptimeDays } from './snapshot-series.js';

const { day: DAY } = LEVEL_MS;

export class UptimeHistory {
  private readonly past = new Map<string, { key: string; days: DayUptime[] }>();

  /**
   * The `days` entries ending today, as uptimeDays() gives them. `generation` names the set of
   * past day buckets (the engine bumps it whenever it reads them again).
   */
  days(
    providerId: string,
    generation: number,
    pastBuckets: readonly Bucket[],
    todayBuckets: readonly Bucket[],
    now: number,
    days: number,
    incidents: readonly Incident[],
    maintenance: readonly MaintenanceWindow[],
  ): DayUptime[] {
    const today = now - (now % DAY);
    let key = `${generation}|${today}|${days}`;
    for (const i of incidents) key += `|i${i.id}:${i.openedAt}:${i.resolvedAt}`;
    for (const m of maintenance) key += `|m${m.id}:${m.startsAt}:${m.endsAt}`;
    let cached = this.past.get(providerId);
    if (cached === undefined || cached.key !== key) {
      // "now" just before today's midnight: the days-1 entries that end yesterday.
      cached = { key, days: uptimeDays(pastBuckets, today - 1, days - 1, incidents, maintenance) };
      this.past.set(providerId, cached);
    }
    return [...cached.days, ...uptimeDays(todayBuckets, now, 1, incidents, maintenance)];
  }

  /** Forgets providers no longer in the snapshot. */
  retain(providerIds: ReadonlySet<string>): void {
    for (const id of this.past.keys()) if (!providerIds.has(id)) this.past.delete(id);
  }
}
