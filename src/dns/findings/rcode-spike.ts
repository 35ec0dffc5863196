// nxdomain_spike / servfail_spike: a closed window whose NXDOMAIN (or SERVFAIL) share of answers
// is well above the resolver's own baseline, the mean of the windows before it.
// random_subdomain_flood: a closed window where one zone drew many NXDOMAIN answers, nearly each
// for a different name that was not asked in the minutes before: the "water torture" attack on a
// resolver (random labels under a victim zone, so no cache helps). Needs no baseline: legitimate
// clients do not invent names; a client that keeps asking for the same missing names (a stale
// configuration, a list it walks) repeats them, and that is not a flood. The flood must hold for
// three windows in a row (30 s): with nothing before it, a window cannot tell new names from a
// list's first pass, and a list of a few thousand names walked at hundreds a second comes round
// within that time.
// resolver_refused: a closed window where the resolver refused a share of the queries. A working
// resolver refuses none, so no baseline is needed: an ACL, a rate limit or a resolver that is not
// recursive for these clients.
import { DistinctNames } from '../distinct-names.js';
import { topKeys, type HealthWindow } from '../resolver-health.js';

/** Names and askers a finding lists. */
const NAMED = 5;
/** Share of answers from which REFUSED is a finding. */
const REFUSED_MIN_RATE = 0.05;

export interface RcodeSpike {
  kind: 'nxdomain_spike' | 'servfail_spike' | 'resolver_refused' | 'random_subdomain_flood';
  resolver: string;
  windowStart: number;
  count: number;
  answered: number;
  rate: number;
  baselineRate: number;
  zone: string | null;
  /** The most frequent names and askers (process, else client) of these answers (NXDOMAIN, REFUSED). */
  names: string[];
  askers: string[];
  /** Distinct names among them (random_subdomain_flood), estimated. */
  distinct?: number;
}

const BASELINE_WINDOWS = 30;
const MIN_BASELINE_WINDOWS = 3;
const RATE_FACTOR = 3;
const RATE_MIN_RISE = 0.2;

export function detectSpikes(resolver: string, closed: HealthWindow, before: HealthWindow[], minQueries: number): RcodeSpike[] {
  const baseline = before.slice(-BASELINE_WINDOWS).filter((w) => w.answered >= minQueries);
  if (baseline.length < MIN_BASELINE_WINDOWS || closed.answered < minQueries) return [];
  const out: RcodeSpike[] = [];
  for (const [kind, rcode] of [['nxdomain_spike', 'NXDOMAIN'], ['servfail_spike', 'SERVFAIL']] as const) {
    const count = closed.rcodes[rcode] ?? 0;
    const rate = count / closed.answered;
    let baseCount = 0;
    let baseAnswered = 0;
    for (const w of baseline) {
      baseCount += w.rcodes[rcode] ?? 0;
      baseAnswered += w.answered;
    }
    const baselineRate = baseCount / baseAnswered;
    if (count < minQueries || rate < baselineRate * RATE_FACTOR || rate < baselineRate + RATE_MIN_RISE) continue;
    let zone: string | null = null;
    let best = 0;
    for (const [z, c] of closed.failZones) {
      const n = rcode === 'NXDOMAIN' ? c.nxdomain : c.servfail;
      if (n > best) {
        best = n;
        zone = z;
      }
    }
    const detail = rcode === 'NXDOMAIN' ? closed.failDetail.NXDOMAIN : undefined;
    out.push({ kind, resolver, windowStart: closed.start, count, answered: closed.answered, rate, baselineRate, zone, names: topKeys(detail?.names, NAMED), askers: topKeys(detail?.askers, NAMED) });
  }
  return out;
}

export function detectRefused(resolver: string, closed: HealthWindow, minQueries: number): RcodeSpike | undefined {
  const count = closed.rcodes.REFUSED ?? 0;
  if (closed.answered < minQueries || count < minQueries || count / closed.answered < REFUSED_MIN_RATE) return undefined;
  const d = closed.failDetail.REFUSED;
  return { kind: 'resolver_refused', resolver, windowStart: closed.start, count, answered: closed.answered, rate: count / closed.answered, baselineRate: 0, zone: null, names: topKeys(d?.names, NAMED), askers: topKeys(d?.askers, NAMED) };
}

/** NXDOMAIN answers under one zone in a window from which a flood is considered. */
const FLOOD_MIN_ANSWERS = 200;
/** Share of those answers for distinct names. */
const FLOOD_MIN_DISTINCT = 0.8;
/** Share of them already answered NXDOMAIN in the windows before, above which they are not random. */
const FLOOD_MAX_REPEATED = 0.2;
/** Windows in a row, the closed one included, that must each hold a flood of distinct names. */
const FLOOD_WINDOWS_IN_A_ROW = 3;
/** Earlier windows the names are compared with, newest first, until their union is half full. */
const FLOOD_LOOKBACK_WINDOWS = 30;
const FLOOD_LOOKBACK_MAX_FILL = 0.5;

/** Many NXDOMAIN answers under one zone in a window, nearly each for a different name. */
function floods(z: { nxdomain: number; nxNames: DistinctNames | null } | undefined): boolean {
  return !!z?.nxNames && z.nxdomain >= FLOOD_MIN_ANSWERS && Math.min(z.nxdomain, z.nxNames.estimate()) >= FLOOD_MIN_DISTINCT * z.nxdomain;
}

/** The names one zone drew NXDOMAIN for in the windows before, as far back as they can be told apart. */
function earlierNames(zone: string, before: HealthWindow[]): DistinctNames | null {
  let union: DistinctNames | null = null;
  for (const w of before.slice(-FLOOD_LOOKBACK_WINDOWS).reverse()) {
    const names = w.failZones.get(zone)?.nxNames;
    if (!names) continue;
    union ??= new DistinctNames();
    union.addAll(names);
    if (union.fill() > FLOOD_LOOKBACK_MAX_FILL) break;
  }
  return union;
}

/**
 * Zones of the closed window flooded with NXDOMAIN answers for distinct names. Zones of the search
 * domains are left out: a search list turns every name a client looks up into distinct NXDOMAIN
 * names under them (the ndots finding covers that).
 */
export function detectRandomSubdomains(resolver: string, closed: HealthWindow, before: HealthWindow[], searchZones: ReadonlySet<string>): RcodeSpike[] {
  const out: RcodeSpike[] = [];
  for (const [zone, z] of closed.failZones) {
    if (searchZones.has(zone) || !floods(z)) continue;
    const previous = before.slice(-(FLOOD_WINDOWS_IN_A_ROW - 1));
    if (previous.length < FLOOD_WINDOWS_IN_A_ROW - 1 || !previous.every((w) => floods(w.failZones.get(zone)))) continue;
    const distinct = Math.min(z.nxdomain, z.nxNames!.estimate());
    const earlier = earlierNames(zone, before);
    if (earlier && z.nxNames!.shareAlsoIn(earlier) > FLOOD_MAX_REPEATED) continue;
    const detail = closed.failDetail.NXDOMAIN;
    out.push({
      kind: 'random_subdomain_flood', resolver, windowStart: closed.start, count: z.nxdomain, answered: closed.answered, rate: z.nxdomain / Math.max(1, closed.answered),
      baselineRate: 0, zone, names: topKeys(detail?.names, NAMED), askers: topKeys(detail?.askers, NAMED), distinct,
    });
  }
  return out;
}
