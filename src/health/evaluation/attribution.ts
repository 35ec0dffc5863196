// Attribution: says where a failure lies (this host's network, one resolver, some hosts, one zone, or the provider).
//
// Rules, in order, over the last few minutes:
//   1. several unrelated providers fail together → local (resolver, NAT or this host's network),
//      narrowed to a resolver when DNS failures sit on one resolver only;
//   2. within the provider, DNS failures on one resolver while others answer → that resolver;
//   3. some hosts fail while others reach the provider fine → those hosts, or their zone when
//      every host of one zone fails and no other zone does ("drain these hosts", not "evacuate the zone");
//   4. some processes fail while others succeed → those processes (the client, not the provider);
//   5. otherwise the provider fails from every host and process → the provider.
import type { Attribution } from '../alerts/alert.js';
import type { AffectedBreakdown, BreakdownEntry } from '../snapshot/health-snapshot.js';

/** Failure ratio from which a host, process or resolver counts as failing. */
const FAILING_RATIO = 0.05;
/** Calls a breakdown value needs before it is judged at all. */
const MIN_CALLS = 5;

export interface ProviderFailureView {
  providerId: string;
  hosts: readonly BreakdownEntry[];
  processes: readonly BreakdownEntry[];
  resolvers: readonly BreakdownEntry[];
}

export interface AttributionInput {
  /** The provider to explain. */
  provider: ProviderFailureView;
  /** Every provider failing at the same time (including this one), excluding unlabelled traffic. */
  failingProviders: readonly string[];
  /** DNS failures by resolver across all failing providers. */
  resolversAll: readonly BreakdownEntry[];
  hostZones: ReadonlyMap<string, string>;
  localMinProviders: number;
}

function failing(e: BreakdownEntry): boolean {
  return e.total >= MIN_CALLS && e.failed / e.total >= FAILING_RATIO;
}

function judged(list: readonly BreakdownEntry[]): BreakdownEntry[] {
  return list.filter((e) => e.total >= MIN_CALLS && e.value !== 'other');
}

/** The failing values when they are a strict, non-empty subset of the judged ones; else undefined. */
function failingSubset(list: readonly BreakdownEntry[]): string[] | undefined {
  const j = judged(list);
  const bad = j.filter(failing).map((e) => e.value);
  return bad.length > 0 && bad.length < j.length ? bad : undefined;
}

export function attribute(input: AttributionInput): Attribution {
  const others = input.failingProviders.filter((p) => p !== input.provider.providerId);
  if (input.failingProviders.length >= input.localMinProviders) {
    const badResolvers = failingSubset(input.resolversAll);
    const list = input.failingProviders.slice(0, 5).join(', ') + (input.failingProviders.length > 5 ? ', …' : '');
    if (badResolvers) {
      return { scope: 'resolver', targets: badResolvers, reason: `${input.failingProviders.length} unrelated providers (${list}) fail together and DNS fails only through resolver ${badResolvers.join(', ')}: the resolver, not the providers` };
    }
    return { scope: 'local', targets: [], reason: `${input.failingProviders.length} unrelated providers (${list}) fail together: this host's network, NAT or resolver, not the providers` };
  }
  const p = input.provider;
  const badResolvers = failingSubset(p.resolvers);
  if (badResolvers) {
    return { scope: 'resolver', targets: badResolvers, reason: `DNS for ${p.providerId} fails through ${badResolvers.join(', ')} while other resolvers answer` };
  }
  const badHosts = failingSubset(p.hosts);
  if (badHosts) {
    const zones = new Set(badHosts.map((h) => input.hostZones.get(h)));
    const zone = zones.size === 1 ? [...zones][0] : undefined;
    if (zone !== undefined) {
      const hostsInZone = judged(p.hosts).filter((e) => input.hostZones.get(e.value) === zone).map((e) => e.value);
      const okOutside = judged(p.hosts).some((e) => input.hostZones.get(e.value) !== zone && !failing(e));
      if (hostsInZone.length === badHosts.length && okOutside && hostsInZone.length > 1) {
        return { scope: 'zone', targets: [zone], reason: `every host in zone ${zone} (${badHosts.length}) fails to reach ${p.providerId}; hosts in other zones succeed` };
      }
    }
    return { scope: 'host', targets: badHosts, reason: `only ${badHosts.length === 1 ? 'host' : 'hosts'} ${badHosts.join(', ')} fail to reach ${p.providerId}; other hosts succeed` };
  }
  const badProcesses = failingSubset(p.processes);
  if (badProcesses) {
    return { scope: 'process', targets: badProcesses, reason: `only ${badProcesses.join(', ')} fail${badProcesses.length === 1 ? 's' : ''} to reach ${p.providerId}; other processes succeed: look at the client` };
  }
  const hosts = judged(p.hosts).length;
  const processes = judged(p.processes).length;
  const alone = others.length === 0 ? 'no other provider is failing' : `only ${others.length} other provider${others.length === 1 ? ' is' : 's are'} failing`;
  return {
    scope: 'provider',
    targets: [p.providerId],
    reason: `${p.providerId} fails from every host (${hosts}) and process (${processes}) seen, and ${alone}: the provider`,
  };
}

/** A provider counts as failing (for "several providers fail together") from this failure ratio over 5 minutes… */
const PROVIDER_FAILING_RATIO = 0.05;
/** …and this many calls. */
const PROVIDER_FAILING_MIN_CALLS = 10;

/**
 * Attribution for any provider at one tick: which providers fail together, and their DNS failures
 * by resolver, are worked out once; each provider's own breakdowns are looked up per call.
 */
export function attributionAtTick(input: {
  /** Every provider's 5-minute counts (unlabelled traffic excluded by the caller). */
  providers: ReadonlyArray<{ providerId: string; five: { total: number; failed: number } }>;
  breakdowns: ReadonlyMap<string, AffectedBreakdown>;
  hostZones: ReadonlyMap<string, string>;
  localMinProviders: number;
}): (providerId: string) => Attribution {
  const failingProviders = input.providers
    .filter((p) => p.five.total >= PROVIDER_FAILING_MIN_CALLS && p.five.failed / p.five.total >= PROVIDER_FAILING_RATIO)
    .map((p) => p.providerId);
  const resolversAll = new Map<string, BreakdownEntry>();
  for (const p of failingProviders) {
    for (const r of input.breakdowns.get(p)?.resolvers ?? []) {
      const sum = resolversAll.get(r.value) ?? { value: r.value, total: 0, failed: 0, failureRatio: null };
      sum.total += r.total;
      sum.failed += r.failed;
      sum.failureRatio = sum.total > 0 ? sum.failed / sum.total : null;
      resolversAll.set(r.value, sum);
    }
  }
  return (providerId) => attribute({
    provider: { providerId, ...(input.breakdowns.get(providerId) ?? { hosts: [], processes: [], resolvers: [] }) },
    failingProviders: failingProviders.includes(providerId) ? failingProviders : [...failingProviders, providerId],
    resolversAll: [...resolversAll.values()],
    hostZones: input.hostZones,
    localMinProviders: input.localMinProviders,
  });
}
