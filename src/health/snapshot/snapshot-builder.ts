// Builds the health snapshot of a tick from the series' evaluations: each endpoint's and
// provider's state and score, 90-day uptime bars, latency series, SLOs, affected breakdowns,
// incidents and maintenance. Past days are read from the store once a day; sketches of the last
// hour are kept between ticks (HourLatency), closed days' bars too (UptimeHistory).
import type { Alert } from '../alerts/alert.js';
import { maintenanceConcerns, type MaintenanceWindow } from '../alerts/suppression.js';
import type { EngineStore } from '../engine-store.js';
import { NO_BREAKDOWN } from '../evaluation/breakdowns.js';
import { healthState, reliabilityScore, worstState } from '../evaluation/score.js';
import type { SeriesEvaluation } from '../evaluation/series-evaluation.js';
import { UNKNOWN_PROVIDER, type EndpointInfo } from '../rollups/aggregator.js';
import { LEVEL_MS, SCOPE_PREFIX, seriesKey, type Bucket } from '../rollups/bucket.js';
import type { CheckLastRuns, LastRun } from './check-last-runs.js';
import { componentChecks, mergedSketch } from './component-health.js';
import type { AffectedBreakdown, EndpointSummary, HealthSnapshot, HealthState, ProviderDetail } from './health-snapshot.js';
import { HourLatency } from './hour-latency.js';
import { callSeries, latencySeries, uptimePct } from './snapshot-series.js';
import { UptimeHistory } from './uptime-history.js';

const { minute: MINUTE, hour: HOUR, day: DAY } = LEVEL_MS;
/** Days of uptime bars. */
const UPTIME_DAYS = 90;
/** Rows kept in each affected list and in the provider's incident list. */
const LIST_LIMIT = 20;

/** What a tick hands the builder besides the store's history. */
export interface SnapshotInputs {
  now: number;
  providers: ReadonlyMap<string, SeriesEvaluation>;
  endpoints: readonly SeriesEvaluation[];
  /** Every alert firing after this tick (states follow paging and ticketing alerts). */
  active: readonly Alert[];
  breakdowns: ReadonlyMap<string, AffectedBreakdown>;
  maintenance: readonly MaintenanceWindow[];
  /** The latency SLO's threshold and its index in the windows' thresholds, for the score. */
  latency: { index: number; thresholdMs: number | null };
  /** Each check endpoint's last run, for its components' status and certificate. */
  lastRuns: CheckLastRuns;
  yieldIfDue: () => Promise<void>;
}

export class SnapshotBuilder {
  /** Day buckets of the 89 days before today, and the day they were read for. */
  private pastDays: Bucket[] = [];
  private pastDaysFor = -1;
  /** Bumped whenever pastDays is read again: the cached uptime bars of past days follow it. */
  private pastDaysGeneration = 0;
  private readonly uptime = new UptimeHistory();
  private readonly hourLatency = new HourLatency();

  constructor(private readonly store: EngineStore) {}

  /** Minute buckets just written: a late one for a past day means the past days must be read again. */
  noteWritten(minutes: readonly Bucket[]): void {
    if (minutes.some((b) => b.start < this.pastDaysFor)) this.pastDaysFor = -1;
  }

  async build(input: SnapshotInputs): Promise<HealthSnapshot> {
    const { now } = input;
    const history = await this.history(now, input.yieldIfDue);
    const judge = (e: SeriesEvaluation, endpointId: string | null) => judgement(e, endpointId, input);

    const endpointsByProvider = new Map<string, EndpointSummary[]>();
    for (const e of input.endpoints) {
      await input.yieldIfDue();
      const summary = this.endpointSummary(e, history.endpointMinutes.get(e.key) ?? [], judge(e, (e.endpoint as EndpointInfo).id), now, input.lastRuns.get(e.key));
      const list = endpointsByProvider.get(summary.providerId);
      if (list) list.push(summary);
      else endpointsByProvider.set(summary.providerId, [summary]);
    }

    const providers: ProviderDetail[] = [];
    let overall: HealthState = 'operational';
    for (const [p, e] of input.providers) {
      await input.yieldIfDue();
      const verdict = judge(e, null);
      if (p !== UNKNOWN_PROVIDER) overall = worstState(overall, verdict.state);
      const endpoints = (endpointsByProvider.get(p) ?? []).sort((x, y) => x.name.localeCompare(y.name));
      const detail = this.providerDetail(p, e, verdict, endpoints, history, input);
      // A provider known only from DNS lookups of its names has never had a call: it is DNS
      // signal (the DNS page), not a row of "No data", unless an alert names it.
      if (endpoints.length === 0 && detail.uptime90dPct === null && !input.active.some((x) => x.providerId === p)) continue;
      providers.push(detail);
    }
    this.uptime.retain(new Set(input.providers.keys()));
    this.hourLatency.retain(new Set(input.endpoints.map((e) => e.key)));
    providers.sort((x, y) => (x.id === UNKNOWN_PROVIDER ? 1 : y.id === UNKNOWN_PROVIDER ? -1 : x.id.localeCompare(y.id)));
    return { at: now, overall, providers };
  }

  /** The store's history the snapshot shows, grouped by series. */
  private async history(now: number, yieldIfDue: () => Promise<void>) {
    const today = now - (now % DAY);
    // Past days do not change: read them once a day, and only today's buckets at every tick.
    if (this.pastDaysFor !== today) {
      this.pastDays = await this.store.queryBuckets({ level: 'day', from: today - (UPTIME_DAYS - 1) * DAY, to: today, keyPrefix: SCOPE_PREFIX.provider });
      this.pastDaysFor = today;
      this.pastDaysGeneration++;
    }
    const todayDays = await this.store.queryBuckets({ level: 'day', from: today, to: today + DAY, keyPrefix: SCOPE_PREFIX.provider });
    const minutes = await this.store.queryBuckets({ level: 'minute', from: now - HOUR, to: now + MINUTE, keyPrefix: SCOPE_PREFIX.provider });
    await yieldIfDue();
    const endpointMinutes = await this.store.queryBuckets({ level: 'minute', from: now - HOUR, to: now + MINUTE, keyPrefix: SCOPE_PREFIX.endpoint });
    await yieldIfDue();
    const incidents = await this.store.listIncidents({ from: today - (UPTIME_DAYS - 1) * DAY });
    const grouped = { pastDays: byKey(this.pastDays), todayDays: byKey(todayDays), minutes: byKey(minutes) };
    await yieldIfDue();
    return { ...grouped, endpointMinutes: byKey(endpointMinutes), incidents };
  }

  private endpointSummary(e: SeriesEvaluation, minutes: readonly Bucket[], verdict: Verdict, now: number, last: LastRun | undefined): EndpointSummary {
    const info = e.endpoint as EndpointInfo;
    const sketches = this.hourLatency.of(e.key, minutes, now);
    const latency = mergedSketch(sketches, ['connect', 'probeTotal']);
    const hour = e.hour;
    return {
      id: info.id,
      providerId: info.providerId,
      name: info.name,
      service: info.service,
      region: info.region,
      state: verdict.state,
      score: verdict.score,
      total: hour.total,
      failed: hour.failed,
      successRatio: hour.total > 0 ? 1 - hour.failed / hour.total : null,
      p50Ms: latency.quantile(0.5),
      p99Ms: latency.quantile(0.99),
      resetRate: hour.tcpAttempts > 0 ? hour.resets / hour.tcpAttempts : null,
      retransmitRate: hour.tcpAttempts > 0 ? hour.retransmits / hour.tcpAttempts : null,
      lastSeen: info.lastSeen || null,
      checks: componentChecks(info, sketches, verdict.state, hour, now, last),
      certExpiryDays: last?.certExpiryDays ?? null,
      slos: e.slos,
    };
  }

  private providerDetail(
    p: string,
    e: SeriesEvaluation,
    verdict: Verdict,
    endpoints: EndpointSummary[],
    history: Awaited<ReturnType<SnapshotBuilder['history']>>,
    input: SnapshotInputs,
  ): ProviderDetail {
    const { now } = input;
    const key = seriesKey('provider', p);
    // An incident of this host ("local") is shown once, on the overview, not as every provider's.
    const incidents = history.incidents.filter((i) => i.providerId === p);
    const maintenance = input.maintenance.filter((w) => maintenanceConcerns(w, p));
    const uptimeDays = this.uptime.days(p, this.pastDaysGeneration, history.pastDays.get(key) ?? [], history.todayDays.get(key) ?? [], now, UPTIME_DAYS, incidents, maintenance);
    const minutes = history.minutes.get(key) ?? [];
    const budgets = e.slos.map((s) => s.budgetRemaining).filter((v): v is number => v !== null);
    const spent = e.slos.map((s) => s.budgetSpent).filter((v): v is number => v !== null);
    const affected = input.breakdowns.get(p) ?? NO_BREAKDOWN;
    const lastSeen = endpoints.reduce<number | null>((m, x) => (x.lastSeen !== null && (m === null || x.lastSeen > m) ? x.lastSeen : m), null);
    return {
      id: p,
      name: p,
      state: verdict.state,
      score: verdict.score,
      uptimeDays,
      uptime90dPct: uptimePct(uptimeDays),
      latency: callSeries(minutes),
      slos: e.slos,
      errorBudgetRemaining: budgets.length ? Math.min(...budgets) : null,
      errorBudgetSpent: spent.length ? Math.max(...spent) : null,
      lookups: affected.resolvers.reduce((s, r) => ({ total: s.total + r.total, failed: s.failed + r.failed }), { total: 0, failed: 0 }),
      endpointCount: endpoints.length,
      openIncidents: incidents.filter((i) => i.state === 'open').length,
      total: e.hour.total,
      failed: e.hour.failed,
      lastSeen,
      endpoints,
      phases: {
        dns: latencySeries(minutes, ['probeDns', 'dns']),
        connect: latencySeries(minutes, ['connect', 'probeConnect']),
        tls: latencySeries(minutes, ['probeTls']),
        firstByte: latencySeries(minutes, ['probeFirstByte']),
      },
      affected: { hosts: affected.hosts.slice(0, LIST_LIMIT), processes: affected.processes.slice(0, LIST_LIMIT), resolvers: affected.resolvers.slice(0, LIST_LIMIT) },
      incidents: incidents.slice(0, LIST_LIMIT),
      maintenance: maintenance.filter((w) => w.endsAt > now - 7 * DAY),
    };
  }
}

type Verdict = ReturnType<typeof judgement>;

/** A series' state (from its counts, its SLOs and the alerts firing for it) and its score. */
function judgement(e: SeriesEvaluation, endpointId: string | null, input: SnapshotInputs) {
  const firing = (severity: 'page' | 'ticket') =>
    input.active.some((a) => a.providerId === e.providerId && (endpointId === null || a.endpointId === endpointId) && a.severity === severity);
  const success = e.slos.find((s) => s.kind === 'success');
  const latencyMissed = e.slos.some((s) => s.kind === 'latency' && (s.burnRates['1h'] ?? 0) > 1);
  const score = reliabilityScore({ hour: e.hour, latencyIndex: input.latency.index, latencyThresholdMs: input.latency.thresholdMs, budgetRemaining: success?.budgetRemaining ?? null });
  const state = healthState({ fiveMin: e.five, recent: e.recent, hour: e.hour, pageFiring: firing('page'), ticketFiring: firing('ticket'), latencyMissed, checksPassing: e.checksPassing });
  return { score, state };
}

function byKey(list: readonly Bucket[]): Map<string, Bucket[]> {
  const m = new Map<string, Bucket[]>();
  for (const b of list) {
    const l = m.get(b.key);
    if (l) l.push(b);
    else m.set(b.key, [b]);
  }
  return m;
}
