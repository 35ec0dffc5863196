// Turns the rcode spikes detected at window close into findings, one per resolver and kind.
import type { DnsFinding } from '../types.js';
import { makeFinding, pct } from './finding.js';
import type { RcodeSpike } from './rcode-spike.js';

export function spikeFindings(spikes: RcodeSpike[], windowMs: number): DnsFinding[] {
  const groups = new Map<string, RcodeSpike[]>();
  for (const s of spikes) {
    const k = `${s.kind} ${s.resolver}`;
    const list = groups.get(k) ?? [];
    list.push(s);
    groups.set(k, list);
  }
  const out: DnsFinding[] = [];
  for (const list of groups.values()) {
    const worst = list.reduce((a, b) => (b.rate > a.rate ? b : a));
    const count = list.reduce((a, s) => a + s.count, 0);
    const named = worst.names.length ? `; names ${worst.names.join(', ')}; asked by ${worst.askers.join(', ')}` : '';
    if (worst.kind === 'random_subdomain_flood') {
      const distinct = list.reduce((a, s) => a + (s.distinct ?? 0), 0);
      out.push(makeFinding({
        kind: 'random_subdomain_flood',
        severity: 'warning',
        resolver: worst.resolver,
        zone: worst.zone,
        count,
        firstSeenMs: list[0].windowStart,
        lastSeenMs: list[list.length - 1].windowStart + windowMs,
        summary: `resolver ${worst.resolver} answered ${count} NXDOMAIN under zone ${worst.zone} for about ${distinct} distinct names in ${list.length} window(s): a random-subdomain flood ("water torture"), which no cache absorbs${named}`,
        evidence: { windows: list.length, nxdomain: count, distinctNames: distinct, names: worst.names, askers: worst.askers },
        mitigations: [
          'find the asking process or client (askers) and stop or rate-limit it; a compromised host or a misbehaving crawler is the usual source',
          'at the resolver: rate-limit NXDOMAIN answers per client (unbound ratelimit / ip-ratelimit, dnsmasq --dns-forward-max) or block the zone with a response policy zone while it lasts',
        ],
      }));
      continue;
    }
    if (worst.kind === 'resolver_refused') {
      const answered = list.reduce((a, s) => a + s.answered, 0);
      out.push(makeFinding({
        kind: 'resolver_refused',
        severity: 'warning',
        resolver: worst.resolver,
        zone: null,
        count,
        firstSeenMs: list[0].windowStart,
        lastSeenMs: list[list.length - 1].windowStart + windowMs,
        summary: `resolver ${worst.resolver} refused ${count} of the ${answered} queries it answered (${pct(count / answered)}) in ${list.length} window(s)${named}`,
        evidence: { windows: list.length, peakRate: worst.rate, refused: count, answered, names: worst.names, askers: worst.askers },
        mitigations: ['check the resolver\'s access control (allow-query, access-control) and rate limits for these clients, or point them at a resolver that serves them'],
      }));
      continue;
    }
    const rcode = worst.kind === 'nxdomain_spike' ? 'NXDOMAIN' : 'SERVFAIL';
    out.push(makeFinding({
      kind: worst.kind,
      severity: worst.kind === 'servfail_spike' ? 'critical' : 'warning',
      resolver: worst.resolver,
      zone: worst.zone,
      count,
      firstSeenMs: list[0].windowStart,
      lastSeenMs: list[list.length - 1].windowStart + windowMs,
      summary: `${rcode} at resolver ${worst.resolver} rose to ${pct(worst.rate)} of answers (baseline ${pct(worst.baselineRate)})${worst.zone ? `, mostly zone ${worst.zone}` : ''}, in ${list.length} window(s)${named}`,
      evidence: { windows: list.length, peakRate: worst.rate, baselineRate: worst.baselineRate, peakCount: worst.count, peakAnswered: worst.answered, names: worst.names, askers: worst.askers },
    }));
  }
  return out;
}
