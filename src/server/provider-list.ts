// The body of GET /api/v1/providers: one summary per provider (state, score, 90-day uptime,
// error budget, counts), without the per-day and per-minute arrays that make up most of a
// provider's data; `?days=N` adds the last N days of uptime. /api/v1/providers/{id} has everything.
import type { DayUptime, ProviderSummary } from '../health/snapshot/health-snapshot.js';
import { toApiJson } from './json-surface.js';

/** Most days the list can carry (the snapshot keeps 90). */
export const MAX_LIST_DAYS = 90;

export type ProviderListEntry = Omit<ProviderSummary, 'uptimeDays' | 'latency'> & { uptimeDays?: DayUptime[] };

/** Parses `?days=`: absent → 0 (no per-day array); else an integer 1..90, or an error sentence. */
export function parseListDays(raw: string | null): number | string {
  if (raw === null) return 0;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > MAX_LIST_DAYS) return `days must be an integer from 1 to ${MAX_LIST_DAYS}, got ${JSON.stringify(raw)}`;
  return n;
}

export function providerListJson(providers: readonly ProviderSummary[], days: number): string {
  const list: ProviderListEntry[] = providers.map(({ uptimeDays, latency: _latency, ...summary }) => (days > 0 ? { ...summary, uptimeDays: uptimeDays.slice(-days) } : summary));
  return toApiJson({ providers: list });
}
