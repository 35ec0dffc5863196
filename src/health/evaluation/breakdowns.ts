// Which hosts, processes and resolvers each provider's calls came from over the attribution window,
// worst first: the evidence of attribution and the provider page's "affected" lists.
import { parseSeriesKey } from '../rollups/bucket.js';
import type { SliWindows } from '../rollups/sli-windows.js';
import type { AffectedBreakdown, BreakdownEntry } from '../snapshot/health-snapshot.js';
import { FIVE_MINUTES } from './series-evaluation.js';

export const NO_BREAKDOWN: AffectedBreakdown = Object.freeze({ hosts: [], processes: [], resolvers: [] });

/** Breakdowns of every provider over the last five minutes (the page rule's short window). */
export function breakdowns(windows: SliWindows, now: number): Map<string, AffectedBreakdown> {
  const out = new Map<string, AffectedBreakdown>();
  for (const key of windows.keys()) {
    const id = parseSeriesKey(key);
    if (id.scope !== 'host' && id.scope !== 'process' && id.scope !== 'resolver') continue;
    const counts = windows.sum(key, FIVE_MINUTES, now + 1);
    if (counts.total === 0) continue;
    let entry = out.get(id.provider);
    if (!entry) {
      entry = { hosts: [], processes: [], resolvers: [] };
      out.set(id.provider, entry);
    }
    const row: BreakdownEntry = { value: id.value ?? '', total: counts.total, failed: counts.failed, failureRatio: counts.failed / counts.total };
    (id.scope === 'host' ? entry.hosts : id.scope === 'process' ? entry.processes : entry.resolvers).push(row);
  }
  for (const e of out.values()) {
    e.hosts.sort(worstFirst);
    e.processes.sort(worstFirst);
    e.resolvers.sort(worstFirst);
  }
  return out;
}

function worstFirst(a: BreakdownEntry, b: BreakdownEntry): number {
  return (b.failureRatio ?? 0) - (a.failureRatio ?? 0) || b.total - a.total;
}
