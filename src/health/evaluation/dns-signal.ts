// The DNS signal of each provider: lookups of its names, judged apart from its calls. A failing
// lookup is the resolver's fault unless the provider's own names fail through every resolver
// while other names resolve through the same resolvers (then its zone is the problem).
import type { AlertCandidate } from '../alerts/alert-book.js';
import type { Attribution } from '../alerts/alert.js';
import type { AffectedBreakdown, BreakdownEntry } from '../snapshot/health-snapshot.js';
import { OTHER, UNKNOWN_PROVIDER } from '../rollups/aggregator.js';

/** Lookups over the window a provider needs before its DNS is judged. */
const MIN_LOOKUPS = 20;
/** Failure ratio from which the provider's lookups alert… */
const ALERT_RATIO = 0.1;
/** …and from which they page (most lookups fail: the provider cannot be reached at all). */
const PAGE_RATIO = 0.5;
/** Per resolver: lookups needed to judge it, and the ratio from which it counts as failing. */
const RESOLVER_MIN = 5;
const RESOLVER_FAILING = 0.05;

interface Sum {
  total: number;
  failed: number;
}

function failingEntry(e: Sum): boolean {
  return e.total >= RESOLVER_MIN && e.failed / e.total >= RESOLVER_FAILING;
}

/**
 * Alert candidates for providers whose lookups fail over the attribution window (the breakdowns'
 * five minutes), each attributed to the resolvers or to the provider's own DNS.
 */
export function dnsSignalCandidates(affected: ReadonlyMap<string, AffectedBreakdown>): AlertCandidate[] {
  // Lookups per resolver over every provider, to tell a broken resolver from one broken zone.
  const byResolver = new Map<string, Map<string, Sum>>();
  for (const [provider, b] of affected) {
    for (const r of b.resolvers) {
      if (r.value === OTHER) continue;
      let m = byResolver.get(r.value);
      if (!m) byResolver.set(r.value, (m = new Map()));
      m.set(provider, { total: r.total, failed: r.failed });
    }
  }
  const out: AlertCandidate[] = [];
  for (const [provider, b] of affected) {
    // Names no labelling source knows have no provider to alert for; they still count above.
    if (provider === UNKNOWN_PROVIDER) continue;
    const sum = b.resolvers.reduce<Sum>((s, r) => ({ total: s.total + r.total, failed: s.failed + r.failed }), { total: 0, failed: 0 });
    if (sum.total < MIN_LOOKUPS || sum.failed / sum.total < ALERT_RATIO) continue;
    const ratio = sum.failed / sum.total;
    out.push({
      fingerprint: `dns-lookups|${provider}`,
      name: 'DnsLookupFailures',
      severity: ratio >= PAGE_RATIO ? 'page' : 'ticket',
      providerId: provider,
      endpointId: null,
      summary: `${sum.failed} of ${sum.total} lookups of ${provider}'s names failed over 5 minutes (${(ratio * 100).toFixed(1)} %)`,
      labels: { signal: 'dns' },
      values: { lookups: sum.total, failed: sum.failed, failureRatio: Math.round(ratio * 10_000) / 10_000 },
      attribution: attributeLookups(provider, b.resolvers, byResolver),
    });
  }
  return out;
}

function attributeLookups(provider: string, resolvers: readonly BreakdownEntry[], byResolver: ReadonlyMap<string, ReadonlyMap<string, Sum>>): Attribution {
  const judged = resolvers.filter((r) => r.total >= RESOLVER_MIN && r.value !== OTHER);
  const bad = judged.filter(failingEntry).map((r) => r.value);
  if (bad.length > 0 && bad.length < judged.length) {
    return { scope: 'resolver', targets: bad, reason: `lookups of ${provider}'s names fail through ${bad.join(', ')} while other resolvers answer them: the resolver` };
  }
  // Every resolver fails these names: the provider's zone, if other names resolve through them.
  const othersResolve = bad.length > 0 && bad.every((addr) => {
    const others = [...(byResolver.get(addr) ?? new Map<string, Sum>())].filter(([p]) => p !== provider).map(([, s]) => s);
    const total = others.reduce((n, s) => n + s.total, 0);
    const failed = others.reduce((n, s) => n + s.failed, 0);
    return total >= RESOLVER_MIN && failed / total < RESOLVER_FAILING;
  });
  if (othersResolve) {
    return { scope: 'provider', targets: [provider], reason: `lookups of ${provider}'s names fail through every resolver (${bad.join(', ')}) while other names resolve through them: ${provider}'s DNS` };
  }
  return { scope: 'resolver', targets: bad, reason: `lookups fail through ${bad.join(', ') || 'the resolver'} for other names too: the resolver, not ${provider}` };
}
