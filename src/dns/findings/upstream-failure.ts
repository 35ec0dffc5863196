// upstream_failure: a resolver that answers some zones but SERVFAILs or never answers another:
// the forwarder behind it for that zone is failing (the CoreDNS-forwarder case). Names the zone.
import type { DnsFinding } from '../types.js';
import { makeFinding, pct } from './finding.js';

/** Per resolver and zone counters, kept in a bounded table. */
export interface ZoneRow {
  resolver: string;
  zone: string;
  queries: number;
  answered: number;
  timeouts: number;
  rcodes: Record<string, number>;
  /** Names that failed (a few), clients and processes that asked them. */
  failedNames: Set<string>;
  clients: Set<string>;
  processes: Set<string>;
  firstFailTs: number;
  lastFailTs: number;
}

export function emptyZoneRow(key: string): ZoneRow {
  const [resolver, zone] = key.split(' ');
  return { resolver: resolver ?? '', zone: zone ?? key, queries: 0, answered: 0, timeouts: 0, rcodes: {}, failedNames: new Set(), clients: new Set(), processes: new Set(), firstFailTs: Infinity, lastFailTs: -Infinity };
}

export function mergeZoneRow(into: ZoneRow, from: ZoneRow): void {
  into.queries += from.queries;
  into.answered += from.answered;
  into.timeouts += from.timeouts;
  for (const [k, v] of Object.entries(from.rcodes)) into.rcodes[k] = (into.rcodes[k] ?? 0) + v;
  for (const [a, b] of [[into.failedNames, from.failedNames], [into.clients, from.clients], [into.processes, from.processes]]) {
    for (const x of b) if (a.size < 10) a.add(x);
  }
  into.firstFailTs = Math.min(into.firstFailTs, from.firstFailTs);
  into.lastFailTs = Math.max(into.lastFailTs, from.lastFailTs);
}

const FAILURE_SHARE = 0.5;

export function upstreamFailures(rows: Iterable<ZoneRow>, minQueries: number, downResolvers: Set<string>): DnsFinding[] {
  const byResolver = new Map<string, ZoneRow[]>();
  for (const row of rows) {
    if (row.zone === 'other' || downResolvers.has(row.resolver)) continue;
    const list = byResolver.get(row.resolver) ?? [];
    list.push(row);
    byResolver.set(row.resolver, list);
  }
  const out: DnsFinding[] = [];
  for (const [resolver, zones] of byResolver) {
    const ok = (z: ZoneRow) => (z.rcodes.NOERROR ?? 0) + (z.rcodes.NXDOMAIN ?? 0);
    const totalOk = zones.reduce((s, z) => s + ok(z), 0);
    for (const z of zones) {
      const servfail = z.rcodes.SERVFAIL ?? 0;
      const failures = servfail + z.timeouts;
      const share = failures / Math.max(1, z.queries);
      const othersOk = totalOk - ok(z);
      if (failures < minQueries || share < FAILURE_SHARE || (servfail === 0 && othersOk === 0)) continue;
      const how = [servfail ? `${servfail} SERVFAIL` : '', z.timeouts ? `${z.timeouts} unanswered` : ''].filter(Boolean).join(' and ');
      out.push(makeFinding({
        kind: 'upstream_failure',
        severity: share >= 0.9 ? 'critical' : 'warning',
        resolver,
        zone: z.zone,
        name: z.failedNames.values().next().value ?? null,
        count: failures,
        clients: z.clients,
        processes: z.processes,
        firstSeenMs: z.firstFailTs,
        lastSeenMs: z.lastFailTs,
        summary: `resolver ${resolver} fails zone ${z.zone}: ${how} of ${z.queries} queries (${pct(share)}) while it answers ${othersOk} queries for other zones`,
        evidence: { queries: z.queries, servfail, timeouts: z.timeouts, failureShare: share, otherZonesAnswered: othersOk, names: [...z.failedNames] },
        mitigations: ['check the upstream (forwarder) this resolver uses for the zone', 'for CoreDNS: the forward plugin of the zone\'s server block and its health_check'],
      }));
    }
  }
  return out;
}
