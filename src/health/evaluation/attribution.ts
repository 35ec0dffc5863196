// Attribution: says where a failure lies (this host's network, one resolver, some hosts, one zone, or the provider).
//
// Rules, in order, over the last few minutes:
//   0. failures that are mostly the provider's own answers (HTTP status, assertions, TLS, refused
//      connects) never go to the local network: rules 1 and 2 are skipped;
//   1. several unrelated providers fail together in ways a local fault explains (timeouts,
//      resets, unreachable) while no provider reached over the network stays healthy → local
//      (resolver, NAT or this host's network), narrowed to a resolver when DNS failures sit on
//      one resolver only;
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

/** A provider's calls over the attribution window (sli-windows.ts SliCounts). */
export interface CallCounts {
  total: number;
  failed: number;
  /** Failed calls a local fault could explain. */
  networkFailed: number;
  /** Outbound connects seen by capture (the provider is reached over the network, not only by checks). */
  tcpAttempts: number;
}

export interface AttributionInput {
  /** The provider to explain. */
  provider: ProviderFailureView;
  /** Its own calls over the window. */
  calls: CallCounts;
  /** Providers failing in ways a local fault explains at the same time (including this one), excluding unlabelled traffic. */
  failingProviders: readonly string[];
  /** Providers whose connects over the network succeed at the same time: evidence that the path works. */
  healthyProviders: readonly string[];
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

/** True when most of the failed calls are the provider's own answers rather than network faults. */
function answeredByProvider(c: CallCounts): boolean {
  return c.failed > 0 && c.failed - c.networkFailed > c.networkFailed;
}

export function attribute(input: AttributionInput): Attribution {
  const others = input.failingProviders.filter((p) => p !== input.provider.providerId);
  const ownAnswers = answeredByProvider(input.calls);
  if (!ownAnswers && input.failingProviders.length >= input.localMinProviders && input.healthyProviders.length === 0) {
    const badResolvers = failingSubset(input.resolversAll);
    const list = input.failingProviders.slice(0, 5).join(', ') + (input.failingProviders.length > 5 ? ', …' : '');
    if (badResolvers) {
      return { scope: 'resolver', targets: badResolvers, reason: `${input.failingProviders.length} unrelated providers (${list}) fail together and DNS fails only through resolver ${badResolvers.join(', ')}: the resolver, not the providers` };
    }
    return { scope: 'local', targets: [], reason: `${input.failingProviders.length} unrelated providers (${list}) fail together: this host's network, NAT or resolver, not the providers` };
  }
  const p = input.provider;
  const badResolvers = ownAnswers ? undefined : failingSubset(p.resolvers);
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
  if (ownAnswers) {
    const c = input.calls;
    return {
      scope: 'provider',
      targets: [p.providerId],
      reason: `${c.failed - c.networkFailed} of ${p.providerId}'s ${c.failed} failed calls are its own answers (HTTP status, assertion, TLS or a refused connection), which no local fault explains: the provider`,
    };
  }
  const healthy = input.healthyProviders.length;
  const alone = others.length === 0
    ? 'no other provider fails the same way (timeouts, unreachable)'
    : healthy > 0 && others.length + 1 >= input.localMinProviders
      ? `${others.length} other provider${others.length === 1 ? ' fails' : 's fail'} too, but ${healthy} reached over the same network ${healthy === 1 ? 'is' : 'are'} healthy`
      : `only ${others.length} other provider${others.length === 1 ? ' is' : 's are'} failing`;
  return {
    scope: 'provider',
    targets: [p.providerId],
    reason: `${p.providerId} fails from every host (${hosts}) and process (${processes}) seen, and ${alone}: the provider`,
  };
}

/** A provider counts as failing (for "several providers fail together") from this ratio of network failures over 5 minutes… */
const PROVIDER_FAILING_RATIO = 0.05;
/** …and this many calls; a provider with this many connects and fewer failures shows the path works. */
const PROVIDER_FAILING_MIN_CALLS = 10;

/**
 * Attribution for any provider at one tick: which providers fail together, and their DNS failures
 * by resolver, are worked out once; each provider's own breakdowns are looked up per call.
 */
export function attributionAtTick(input: {
  /** Every provider's 5-minute counts (unlabelled traffic excluded by the caller). */
  providers: ReadonlyArray<{ providerId: string; five: CallCounts }>;
  breakdowns: ReadonlyMap<string, AffectedBreakdown>;
  hostZones: ReadonlyMap<string, string>;
  localMinProviders: number;
}): (providerId: string) => Attribution {
  const judged = input.providers.filter((p) => p.five.total >= PROVIDER_FAILING_MIN_CALLS);
  const failingProviders = judged.filter((p) => p.five.networkFailed / p.five.total >= PROVIDER_FAILING_RATIO).map((p) => p.providerId);
  const healthyProviders = judged
    .filter((p) => p.five.tcpAttempts >= PROVIDER_FAILING_MIN_CALLS && p.five.failed / p.five.total < PROVIDER_FAILING_RATIO)
    .map((p) => p.providerId);
  const callsOf = new Map(input.providers.map((p) => [p.providerId, p.five]));
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
    calls: callsOf.get(providerId) ?? { total: 0, failed: 0, networkFailed: 0, tcpAttempts: 0 },
    failingProviders: failingProviders.includes(providerId) ? failingProviders : [...failingProviders, providerId],
    healthyProviders: healthyProviders.filter((p) => p !== providerId),
    resolversAll: [...resolversAll.values()],
    hostZones: input.hostZones,
    localMinProviders: input.localMinProviders,
  });
}
