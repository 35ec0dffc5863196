// The fleet view: the same health snapshot the agents' engine makes, computed from every agent's
// series in a Prometheus-compatible engine instead of one host's store. Calls and failures are
// pooled over the hosts; the per-host series say whether a provider fails from every host (the
// provider) or only from some (those hosts: their network, resolver or NAT), with the engine's own
// attribution rules; incidents are the rules' alerts firing in Prometheus (deploy/prometheus).
import type { Attribution } from '../health/alerts/alert.js';
import type { Incident } from '../health/alerts/incident.js';
import { attribute } from '../health/evaluation/attribution.js';
import { stateFromRatio, worstState } from '../health/evaluation/score.js';
import type { BreakdownEntry, DayUptime, EndpointSummary, HealthSnapshot, HealthState, PhaseSeries, ProviderDetail, ReliabilityScore, SeriesPoint } from '../health/snapshot/health-snapshot.js';
import type { BurnRateRule, SloDefinition } from '../health/engine-settings.js';
import { dailySli, providerSlos, recordedRatios, thresholdsOf, type DailySli } from './fleet-slos.js';
import type { PrometheusClient } from './prometheus-client.js';

const KINDS = 'kind=~"connect|check"';
/** Failure kinds a host's own network could explain (error label values of egresswatch_call_failures_total). */
const NETWORK_ERRORS = 'error=~"timeout|connect_timeout|connect|dns|proxy|internal|unreachable|reset|other"';
const DAY = 86_400_000;
const STATES: HealthState[] = ['operational', 'degraded', 'partial_outage', 'major_outage'];
/** Hosts listed per provider (worst first); the rest are summed as "other", as an agent's breakdowns are. */
const HOSTS_LISTED = 50;

export interface FleetView {
  snapshot: HealthSnapshot;
  incidents: Incident[];
  hosts: string[];
}

/** Sums of one query by provider (and host, when asked). */
function byKey(samples: Array<{ labels: Record<string, string>; value: number }>, key: (l: Record<string, string>) => string): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of samples) if (Number.isFinite(s.value)) out.set(key(s.labels), (out.get(key(s.labels)) ?? 0) + s.value);
  return out;
}

const ph = (l: Record<string, string>) => `${l.provider}\u0000${l.host}`;

/** The SLOs and burn-rate windows the fleet reports (the configuration's, as the agents'). */
export interface FleetSloSettings {
  slos: readonly SloDefinition[];
  rules: readonly BurnRateRule[];
}

export async function buildFleetView(prom: PrometheusClient, now: number, sloSettings: FleetSloSettings): Promise<FleetView> {
  const q = (promql: string) => prom.query(promql, now);
  const [calls5m, failed5m, network5m, calls1h, failed1h, lookups5m, lookupsFailed5m, states, scores, zones, probes, probeDurations, alerts, alertsSince] = await Promise.all([
    q(`sum by (provider, host) (increase(egresswatch_calls_total{${KINDS}}[5m]))`),
    q(`sum by (provider, host) (increase(egresswatch_call_failures_total{${KINDS}}[5m]))`),
    q(`sum by (provider) (increase(egresswatch_call_failures_total{${KINDS},${NETWORK_ERRORS}}[5m]))`),
    q(`sum by (provider) (increase(egresswatch_calls_total{${KINDS}}[1h]))`),
    q(`sum by (provider) (increase(egresswatch_call_failures_total{${KINDS}}[1h]))`),
    q('sum by (provider) (increase(egresswatch_calls_total{kind="dns"}[5m]))'),
    q('sum by (provider) (increase(egresswatch_call_failures_total{kind="dns"}[5m]))'),
    q('max by (provider) (egresswatch_provider_state)'),
    q('avg by (provider) (egresswatch_provider_reliability_score)'),
    q('max by (host, zone, cluster) (egresswatch_build_info)'),
    q('probe_success'),
    q('probe_duration_seconds'),
    q('ALERTS{alertname=~"Egresswatch.*", alertstate="firing", provider!=""}'),
    // When each alert became active (seconds since the epoch): the incident's opening time.
    q('min by (provider) (ALERTS_FOR_STATE{alertname=~"Egresswatch.*", provider!=""})'),
  ]);
  const activeSince = byKey(alertsSince, (l) => l.provider);
  // 90 days for the bars, or the longest SLO window if longer.
  const days = Math.max(90, ...sloSettings.slos.map((s) => Math.ceil(s.windowMs / DAY)));
  const [daily, ratios, latency, phases] = await Promise.all([
    dailySli(prom, now, days, KINDS, thresholdsOf(sloSettings.slos)), recordedRatios(prom, now), latencyHour(prom, now), phasesHour(prom, now),
  ]);
  const uptime = dailyUptime(daily, now);

  // Each provider's hosts, its 5-minute calls and failures from each.
  const hostFailed = byKey(failed5m, ph);
  const hostsOf = new Map<string, BreakdownEntry[]>();
  for (const [key, total] of byKey(calls5m, ph)) {
    const [provider, host] = key.split('\u0000');
    const failed = hostFailed.get(key) ?? 0;
    const list = hostsOf.get(provider) ?? [];
    list.push({ value: host, total: Math.round(total), failed: Math.round(failed), failureRatio: total > 0 ? failed / total : null });
    hostsOf.set(provider, list);
  }
  const providerIds = new Set<string>([...calls1h, ...states, ...probes].map((s) => s.labels.provider).filter((p): p is string => !!p));
  const hostZones = new Map(zones.filter((z) => z.labels.zone).map((z) => [z.labels.host, z.labels.zone]));
  const hostClusters = new Map(zones.filter((z) => z.labels.cluster).map((z) => [z.labels.host, z.labels.cluster]));
  const allHosts = [...new Set(zones.map((z) => z.labels.host).filter(Boolean))].sort();
  const sum1h = byKey(calls1h, (l) => l.provider);
  const fail1h = byKey(failed1h, (l) => l.provider);
  const net5m = byKey(network5m, (l) => l.provider);
  const dns5m = byKey(lookups5m, (l) => l.provider);
  const dnsFail5m = byKey(lookupsFailed5m, (l) => l.provider);
  const agentState = byKey(states, (l) => l.provider);
  const meanScore = byKey(scores, (l) => l.provider);

  const providers: ProviderDetail[] = [];
  const incidents: Incident[] = [];
  for (const id of [...providerIds].sort()) {
    const hosts = hostsOf.get(id) ?? [];
    hosts.sort((a, b) => (b.failureRatio ?? 0) - (a.failureRatio ?? 0) || a.value.localeCompare(b.value));
    const total5m = hosts.reduce((s, h) => s + h.total, 0);
    const failed5mSum = hosts.reduce((s, h) => s + h.failed, 0);
    const total = Math.round(sum1h.get(id) ?? 0);
    const failed = Math.round(fail1h.get(id) ?? 0);
    const ratio = total5m >= 20 ? failed5mSum / total5m : total > 0 ? failed / total : null;
    const attribution: Attribution | null = failed5mSum > 0
      ? attribute({
        provider: { providerId: id, hosts, processes: [], resolvers: [] },
        calls: { total: total5m, failed: failed5mSum, networkFailed: Math.round(net5m.get(id) ?? 0), tcpAttempts: total5m },
        // Several providers failing together is a per-host judgement, made by each agent: not here.
        failingProviders: [id], healthyProviders: [], resolversAll: [], hostZones, localMinProviders: Infinity,
      })
      : null;
    let state = stateFromRatio(ratio);
    // Failing from some hosts only: the provider serves the others; those hosts are the incident.
    if (attribution && (attribution.scope === 'host' || attribution.scope === 'zone')) state = STATES.indexOf(state) > 1 ? 'degraded' : state;
    const firing = alerts.filter((a) => a.labels.provider === id);
    if (firing.length) state = worstState(state, attribution && (attribution.scope === 'host' || attribution.scope === 'zone') ? 'degraded' : 'partial_outage');
    const endpoints = checkEndpoints(id, probes, probeDurations, now);
    const since = activeSince.get(id);
    const providerIncidents = firing.length ? [fleetIncident(id, firing, attribution, since === undefined ? now : Math.min(now, since * 1000))] : [];
    incidents.push(...providerIncidents);
    const uptimeDays = uptime.get(id) ?? emptyDays(now);
    const slos = providerSlos(id, sloSettings.slos, sloSettings.rules, daily, ratios.get(id), now);
    const budgets = slos.map((x) => x.budgetRemaining).filter((v): v is number => v !== null);
    const spent = slos.map((x) => x.budgetSpent).filter((v): v is number => v !== null);
    const dayTotals = uptimeDays.reduce((a, d) => ({ total: a.total + d.total, failed: a.failed + d.failed }), { total: 0, failed: 0 });
    providers.push({
      id, name: id, state,
      score: fleetScore(meanScore.get(id), hosts.length, agentState.get(id)),
      uptimeDays,
      uptime90dPct: dayTotals.total > 0 ? (100 * (dayTotals.total - dayTotals.failed)) / dayTotals.total : null,
      latency: latency.get(id) ?? [],
      slos,
      errorBudgetRemaining: budgets.length ? Math.min(...budgets) : null,
      errorBudgetSpent: spent.length ? Math.max(...spent) : null,
      lookups: { total: Math.round(dns5m.get(id) ?? 0), failed: Math.round(dnsFail5m.get(id) ?? 0) },
      endpointCount: endpoints.length,
      openIncidents: providerIncidents.length,
      total, failed,
      lastSeen: total > 0 || endpoints.length ? now : null,
      endpoints,
      phases: phases.get(id) ?? { dns: [], connect: [], tls: [], firstByte: [] },
      affected: { hosts: listed(hosts), processes: [], resolvers: [], zones: groupedBy(hosts, hostZones), clusters: groupedBy(hosts, hostClusters) },
      incidents: providerIncidents,
      maintenance: [],
    });
  }
  const overall = providers.reduce<HealthState>((w, p) => worstState(w, p.state), 'operational');
  return { snapshot: { at: now, overall, providers }, incidents, hosts: allHosts };
}

/** Hosts' calls summed by what `of` says of each host (its zone, its cluster), worst first; hosts it does not name are left out. */
function groupedBy(hosts: readonly BreakdownEntry[], of: ReadonlyMap<string, string>): BreakdownEntry[] {
  const sums = new Map<string, { total: number; failed: number }>();
  for (const h of hosts) {
    const group = of.get(h.value);
    if (group === undefined) continue;
    const s = sums.get(group) ?? { total: 0, failed: 0 };
    s.total += h.total;
    s.failed += h.failed;
    sums.set(group, s);
  }
  return [...sums].map(([value, s]) => ({ value, ...s, failureRatio: s.total > 0 ? s.failed / s.total : null }))
    .sort((a, b) => (b.failureRatio ?? 0) - (a.failureRatio ?? 0) || a.value.localeCompare(b.value));
}

/** The worst hosts, and the rest summed as "other" (attribution has already seen every host). */
function listed(hosts: BreakdownEntry[]): BreakdownEntry[] {
  if (hosts.length <= HOSTS_LISTED) return hosts;
  const rest = hosts.slice(HOSTS_LISTED - 1);
  const total = rest.reduce((s, h) => s + h.total, 0);
  const failed = rest.reduce((s, h) => s + h.failed, 0);
  return [...hosts.slice(0, HOSTS_LISTED - 1), { value: 'other', total, failed, failureRatio: total > 0 ? failed / total : null }];
}

/** The agents' mean score, said as such: the fleet has no components of its own to add. */
function fleetScore(mean: number | undefined, hosts: number, worstAgentState: number | undefined): ReliabilityScore {
  const score = mean === undefined ? 100 : Math.round(mean);
  const worst = worstAgentState === undefined ? '' : `; worst host: ${STATES[Math.min(3, Math.max(0, Math.round(worstAgentState)))].replace('_', ' ')}`;
  return { score, formula: 'fleet score = mean of the agents\' scores', components: [{ name: 'hosts', detail: `mean of ${hosts} host${hosts === 1 ? '' : 's'}' scores${worst}`, value: score / 100, weight: 1, points: score }] };
}

/** One endpoint per check (its runs pooled over the hosts that run it). */
function checkEndpoints(provider: string, success: Array<{ labels: Record<string, string>; value: number }>, durations: Array<{ labels: Record<string, string>; value: number }>, now: number): EndpointSummary[] {
  const checks = new Map<string, { target: string; ok: number; n: number; durations: number[] }>();
  for (const s of success) {
    if (s.labels.provider !== provider) continue;
    const c = checks.get(s.labels.check) ?? { target: s.labels.target, ok: 0, n: 0, durations: [] };
    c.ok += s.value;
    c.n++;
    checks.set(s.labels.check, c);
  }
  for (const d of durations) if (d.labels.provider === provider) checks.get(d.labels.check)?.durations.push(d.value * 1000);
  return [...checks].map(([check, c]) => {
    const ratio = c.ok / c.n;
    const state = stateFromRatio(1 - ratio);
    const sorted = c.durations.sort((a, b) => a - b);
    return {
      id: `${provider}|check:${check}`, providerId: provider, name: `check:${check}`, service: null, region: null, state,
      score: { score: Math.round(ratio * 100), formula: 'share of hosts whose latest run passed', components: [] },
      total: c.n, failed: c.n - Math.round(c.ok), successRatio: ratio,
      p50Ms: sorted.length ? sorted[sorted.length >> 1] : null, p99Ms: sorted.length ? sorted[sorted.length - 1] : null,
      resetRate: null, retransmitRate: null, lastSeen: now, checks: {}, certExpiryDays: null, slos: [],
    };
  });
}

function fleetIncident(provider: string, firing: Array<{ labels: Record<string, string> }>, attribution: Attribution | null, openedAt: number): Incident {
  const severity = firing.some((a) => a.labels.severity === 'page') ? 'page' : firing.some((a) => a.labels.severity === 'ticket') ? 'ticket' : 'info';
  const names = [...new Set(firing.map((a) => a.labels.alertname))];
  const where = attribution && (attribution.scope === 'host' || attribution.scope === 'zone') ? ` on ${attribution.targets.join(', ')} only` : '';
  return {
    id: `fleet-${provider}`, providerId: provider, severity, state: 'open', openedAt, resolvedAt: null,
    title: `${provider}: ${names.join(', ')} firing in Prometheus${where}`,
    attribution, alerts: firing.map((a) => `${a.labels.alertname}|${a.labels.slo ?? ''}|${a.labels.long_window ?? a.labels.check ?? ''}`),
    timeline: firing.map((a) => ({ at: openedAt, kind: 'alert_firing' as const, text: `${a.labels.alertname} (${a.labels.severity ?? 'none'})${a.labels.long_window ? ` over ${a.labels.long_window} and ${a.labels.short_window}` : ''}${a.labels.check ? `: check ${a.labels.check} on ${a.labels.host}` : ''}` })),
    notes: [],
  };
}

function emptyDays(now: number): DayUptime[] {
  const today = now - (now % DAY);
  return Array.from({ length: 90 }, (_, i) => {
    const start = today - (89 - i) * DAY;
    return { day: new Date(start).toISOString().slice(0, 10), start, uptimePct: null, total: 0, failed: 0, p50Ms: null, p99Ms: null, worstState: null, incidents: 0, maintenance: false };
  });
}

/** 90 daily bars per provider: calls and failures of each UTC day, pooled over the hosts and kinds. */
function dailyUptime(daily: DailySli, now: number): Map<string, DayUptime[]> {
  const out = new Map<string, DayUptime[]>();
  for (const [provider, byKind] of daily.calls) {
    const days = emptyDays(now);
    // Each point, evaluated at the end of a day (today: its end), covers the day before it.
    const byStart = new Map(days.map((d) => [d.start + DAY, d]));
    for (const points of byKind.values()) {
      for (const [t, calls, failed] of points) {
        const day = byStart.get(t * 1000);
        if (!day || !(calls > 0)) continue;
        day.total += Math.round(calls);
        day.failed += Math.round(failed);
      }
    }
    for (const day of days) if (day.total > 0) day.uptimePct = (100 * (day.total - day.failed)) / day.total;
    out.set(provider, days);
  }
  return out;
}

/** The last hour of each HTTP phase per provider, a point a minute: the mean over the hosts' latest runs of its checks. */
async function phasesHour(prom: PrometheusClient, now: number): Promise<Map<string, PhaseSeries>> {
  const end = now; // not minute-aligned: a minute boundary can fall before the first scrape
  const series = await prom.queryRange('avg by (provider, phase) (probe_http_duration_seconds)', end - 3_600_000, end, 60);
  const key: Record<string, keyof PhaseSeries> = { resolve: 'dns', connect: 'connect', tls: 'tls', processing: 'firstByte' };
  const out = new Map<string, PhaseSeries>();
  for (const s of series) {
    const phase = key[s.labels.phase];
    if (!phase) continue;
    let p = out.get(s.labels.provider);
    if (!p) out.set(s.labels.provider, (p = { dns: [], connect: [], tls: [], firstByte: [] }));
    p[phase] = s.values.map(([t, v]) => ({ t: t * 1000, count: 1, failed: 0, p50Ms: v * 1000, p90Ms: null, p99Ms: null }));
  }
  return out;
}

/** The last hour's median latency per provider, a point a minute (the sparkline). */
async function latencyHour(prom: PrometheusClient, now: number): Promise<Map<string, SeriesPoint[]>> {
  const end = now; // not minute-aligned: a minute boundary can fall before the first scrape
  // Connects where capture sees them, else the passing check runs' durations (as an agent's sparkline).
  const series = await prom.queryRange('histogram_quantile(0.5, sum by (provider, le) (rate(egresswatch_connect_duration_seconds_bucket[5m]))) or avg by (provider) (probe_duration_seconds and on (host, check) (probe_success == 1))', end - 3_600_000, end, 60);
  const out = new Map<string, SeriesPoint[]>();
  for (const s of series) {
    out.set(s.labels.provider, s.values.filter(([, v]) => Number.isFinite(v)).map(([t, v]) => ({ t: t * 1000, count: 1, failed: 0, p50Ms: v * 1000, p90Ms: null, p99Ms: null })));
  }
  return out;
}
