// The reliability stage: ingests events, keeps rollups in the store, evaluates SLOs, scores, anomalies
// and attribution, raises and resolves alerts and incidents, notifies, and publishes the health snapshot.
//
// Wiring (the run command): open a Store, createReliabilityEngine({store, config, …}), feed it with
// ingest()/ingestDns()/reportDnsFindings(), call tick() every few seconds, close() on shutdown.
import { hostname } from 'node:os';
import type { AlertSettings } from '../config/alerts.js';
import type { SloDefinition } from './engine-settings.js';
import type { StoreSettings } from '../store/store-settings.js';
import type { MonitorEvent } from '../events.js';
import { AlertBook, type AlertCandidate } from './alerts/alert-book.js';
import { NotificationDispatcher, type DispatchCounters } from '../alert/dispatcher.js';
import { IncidentTracker } from './alerts/incident-tracker.js';
import type { Notifier } from '../alert/notifier.js';
import { createNotifiers } from '../alert/notifier-registry.js';
import { bucketCalls } from './rollups/bucket-merge.js';
import { type Bucket, parseSeriesKey } from './rollups/bucket.js';
import type { Alert, Attribution } from './alerts/alert.js';
import type { BreakdownEntry, ComponentHealth, EndpointSummary, HealthSnapshot, HealthState, ProviderDetail, SloStatus } from './snapshot/health-snapshot.js';
import type { Incident } from './alerts/incident.js';
import type { MaintenanceWindow, Silence } from './alerts/suppression.js';
import type { EngineStore } from './engine-store.js';
import { anomalyCandidate, burnRateCandidates, dnsFindingCandidate } from './alerts/alert-candidates.js';
import { EventAggregator, UNKNOWN_PROVIDER, type AggregatorCounters, type EndpointInfo } from './rollups/aggregator.js';
import { buildBaseline, latencyAnomaly, ratioAnomaly, type SeasonalBaseline } from './evaluation/anomaly.js';
import { attribute } from './evaluation/attribution.js';
import { systemClock, type Clock } from '../clock.js';
import { LatencySketch } from '../sketch/latency-sketch.js';
import { rollUp } from './rollups/rollup.js';
import { healthState, reliabilityScore, worstState } from './evaluation/score.js';
import type { DnsFindingInput, DnsOutcome, EndpointLabeller, EventOrigin } from './signal-inputs.js';
import { SliWindows, type SliCounts } from './rollups/sli-windows.js';
import { evaluateSlo, slosFor, windowsNeeded, type BurnCondition } from './evaluation/slo-evaluator.js';
import { callSeries, latencySeries, uptimePct } from './snapshot/snapshot-series.js';
import { TimeSlicer } from '../time-slice.js';
import { HourLatency, type SignalSketches } from './snapshot/hour-latency.js';
import { UptimeHistory } from './snapshot/uptime-history.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Window over which anomalies look at the present. */
const RECENT_MS = 15 * MINUTE;
/** Window over which attribution compares hosts, processes and resolvers (the page rule's short window). */
const ATTRIBUTION_MS = 5 * MINUTE;
/** A provider counts as failing (for "several providers fail together") from this failure ratio over 5 minutes. */
const FAILING_RATIO = 0.05;
const FAILING_MIN_CALLS = 10;

export interface ReliabilityConfig {
  store: StoreSettings;
  slos: SloDefinition[];
  alerts: AlertSettings;
}

export interface ReliabilityEngineOptions {
  /** Opened store (the server reads the same one). */
  store: EngineStore;
  config: ReliabilityConfig;
  clock?: Clock;
  /** Defaults to the notifiers of config.alerts. */
  notifiers?: Notifier[];
  labeller?: EndpointLabeller;
  /** Name of this host (host breakdown); defaults to os.hostname(). */
  hostName?: string;
  /** Receives one-line messages (notifier failures, store notices). */
  log?: (line: string) => void;
  /** Endpoints kept per provider before folding into "other" (default 500). */
  maxEndpointsPerProvider?: number;
}

export interface TickResult {
  at: number;
  /** Alerts that started or resolved at this tick. */
  fired: Alert[];
  resolved: Alert[];
  /** Every alert firing after this tick. */
  active: Alert[];
  /** Candidates dropped because a maintenance window or a silence covered them. */
  suppressed: number;
  snapshot: HealthSnapshot;
}

export interface EngineCounters {
  aggregator: AggregatorCounters;
  notifications: DispatchCounters;
  flushes: number;
  bucketsWritten: number;
}

/** The stage object the run command drives. */
export interface ReliabilityEngine {
  /** Capture events and probe results, in batches; cheap (counters only), never awaits. */
  ingest(events: readonly MonitorEvent[], origin?: EventOrigin): void;
  /** Finished DNS transactions from the DNS analysis. */
  ingestDns(outcomes: readonly DnsOutcome[], origin?: EventOrigin): void;
  /** The DNS analysis's current findings (replaces the previous list; absent ones resolve at the next tick). */
  reportDnsFindings(findings: readonly DnsFindingInput[]): void;
  /** Flushes, evaluates everything, updates alerts, incidents and the snapshot, sends due notifications. */
  tick(now?: number): Promise<TickResult>;
  /** Writes pending buckets to the store (one batch). */
  flush(): Promise<void>;
  /** Resolves once the SLO windows are rebuilt from the store (tick and flush wait for it themselves). */
  whenReady(): Promise<void>;
  /** Evaluates SLOs and burn-rate windows only (no store access): what the benchmark times. */
  evaluateSlos(now: number): Map<string, SloStatus[]>;
  /** Active alerts. */
  alerts(): Alert[];
  counters(): EngineCounters;
  /** Final flush and persistence; does not close the store (its owner does). */
  close(): Promise<void>;
}

interface SeriesEval {
  key: string;
  providerId: string;
  endpoint: EndpointInfo | null;
  five: SliCounts;
  hour: SliCounts;
  slos: SloStatus[];
  firing: Array<{ slo: SloDefinition; conds: BurnCondition[] }>;
}

/**
 * Builds the stage. It returns at once: rebuilding the SLO windows from the store (35 days of
 * hourly history) continues in the background so the agent starts fast; ingest() works meanwhile,
 * and flush(), tick() and close() wait for it.
 */
export async function createReliabilityEngine(opts: ReliabilityEngineOptions): Promise<ReliabilityEngine> {
  const engine = new Engine(opts);
  engine.startWarmUp();
  return engine;
}

function inWindow(now: number, w: { startsAt: number; endsAt: number }): boolean {
  return w.startsAt <= now && now < w.endsAt;
}

class Engine implements ReliabilityEngine {
  private readonly store: EngineStore;
  private readonly clock: Clock;
  private readonly cfg: ReliabilityConfig;
  private readonly log: (line: string) => void;
  private readonly agg: EventAggregator;
  private readonly windows: SliWindows;
  private readonly thresholds: number[];
  /** Every window an evaluation reads (SLO windows, burn-rate windows, 5 min and 1 h for the state and score). */
  private readonly windowLengths: number[];
  private book = new AlertBook();
  private readonly dispatcher: NotificationDispatcher;
  private readonly incidents: IncidentTracker;
  private findings: DnsFindingInput[] = [];
  /** Endpoints known from the store before this run (their details come back as traffic does). */
  private readonly knownEndpoints = new Map<string, EndpointInfo>();
  private readonly knownProviders = new Set<string>();
  /** Provider minute buckets of the last RECENT_MS, for the present value of anomaly signals. */
  private recent: Bucket[] = [];
  private baselines = new Map<string, { ratio: SeasonalBaseline; latency: SeasonalBaseline }>();
  private baselineHour = -1;
  private lastPrune = 0;
  /** Day buckets of the 89 days before today, and the day they were read for. */
  private pastDays: Bucket[] = [];
  private pastDaysFor = -1;
  /** Bumped whenever pastDays is read again: the cached uptime bars of past days follow it. */
  private pastDaysGen = 0;
  private readonly uptime = new UptimeHistory();
  private readonly hourLatency = new HourLatency();
  private flushes = 0;
  private bucketsWritten = 0;

  constructor(opts: ReliabilityEngineOptions) {
    this.store = opts.store;
    this.clock = opts.clock ?? systemClock;
    this.cfg = opts.config;
    this.log = opts.log ?? (() => {});
    this.agg = new EventAggregator({
      labeller: opts.labeller,
      hostName: opts.hostName ?? hostname(),
      breakdownLimit: opts.config.store.breakdownLimit,
      maxEndpointsPerProvider: opts.maxEndpointsPerProvider ?? 500,
    });
    this.thresholds = [...new Set(opts.config.slos.filter((s) => s.thresholdMs !== undefined).map((s) => s.thresholdMs as number))];
    this.windowLengths = [...new Set([...windowsNeeded(opts.config.slos, opts.config.alerts.burnRates), 5 * MINUTE, HOUR])];
    this.windows = new SliWindows(this.thresholds, { minuteMs: opts.config.store.retentionMs.minute, hourMs: opts.config.store.retentionMs.hour });
    const a = opts.config.alerts;
    this.dispatcher = new NotificationDispatcher(
      opts.notifiers ?? createNotifiers(a),
      { groupWaitMs: a.groupWaitMs, repeatIntervalMs: a.repeatIntervalMs, retries: a.retries, retryBackoffMs: a.retryBackoffMs },
      this.clock,
      this.log,
    );
    this.incidents = new IncidentTracker(this.store);
  }

  private ready: Promise<void> = Promise.resolve();

  startWarmUp(): void {
    this.ready = this.warmUp().catch((err: unknown) => {
      // Without history the engine still works; it says so once.
      this.log(`health: could not load history from the store (${err instanceof Error ? err.message : String(err)}); SLO windows start empty`);
    });
  }

  /** Rebuilds the windows from the store so a restart keeps SLO history and alert state. */
  private async warmUp(): Promise<void> {
    const now = this.clock.now();
    this.book = new AlertBook(await this.store.getAlertState());
    const minutes = await this.store.queryBuckets({ level: 'minute', from: now - this.cfg.store.retentionMs.minute, to: now + MINUTE });
    for (const b of minutes) {
      this.windows.add(b, false);
      this.remember(b.key);
      if (b.key.startsWith('provider|') && b.start >= now - RECENT_MS) this.recent.push(b);
    }
    const hours = await this.store.queryBuckets({ level: 'hour', from: now - this.cfg.store.retentionMs.hour, to: now + HOUR });
    for (const b of hours) {
      if (b.key.startsWith('provider|') || b.key.startsWith('endpoint|')) {
        this.windows.add(b);
        this.remember(b.key);
      }
    }
  }

  private remember(key: string): void {
    const id = parseSeriesKey(key);
    if (id.scope === 'provider') this.knownProviders.add(id.provider);
    else if (id.scope === 'endpoint' && id.value !== undefined && !this.knownEndpoints.has(key)) {
      const name = id.value.startsWith(`${id.provider}|`) ? id.value.slice(id.provider.length + 1) : id.value;
      this.knownEndpoints.set(key, { id: id.value, providerId: id.provider, name, service: null, region: null, probeType: null, lastSeen: 0 });
    }
  }

  ingest(events: readonly MonitorEvent[], origin?: EventOrigin): void {
    this.agg.ingest(events, origin);
  }

  ingestDns(outcomes: readonly DnsOutcome[], origin?: EventOrigin): void {
    this.agg.ingestDns(outcomes, origin);
  }

  reportDnsFindings(findings: readonly DnsFindingInput[]): void {
    this.findings = findings.slice();
  }

  async flush(): Promise<void> {
    await this.flushSliced(new TimeSlicer());
  }

  private async flushSliced(slicer: TimeSlicer): Promise<void> {
    await this.ready;
    if (this.agg.empty) return;
    const minutes = this.agg.drain();
    for (const b of minutes) {
      this.windows.add(b);
      if (b.key.startsWith('provider|')) this.recent.push(b);
      await slicer.yieldIfDue();
    }
    const days = rollUp(minutes, 'day');
    // Late events for a past day (a flush just after midnight) invalidate the cached past days.
    if (days.some((b) => b.start < this.pastDaysFor)) this.pastDaysFor = -1;
    const batch = [...minutes, ...rollUp(minutes, 'hour'), ...days];
    await this.store.mergeBuckets(batch);
    this.flushes++;
    this.bucketsWritten += batch.length;
  }

  private providers(): string[] {
    return [...new Set([...this.knownProviders, ...this.agg.providers])].sort();
  }

  private endpoints(): Map<string, EndpointInfo> {
    const out = new Map(this.knownEndpoints);
    for (const [k, v] of this.agg.endpoints()) out.set(k, v);
    return out;
  }

  private evalSeries(key: string, providerId: string, endpoint: EndpointInfo | null, now: number): SeriesEval {
    const slos = slosFor(this.cfg.slos, endpoint ? 'endpoint' : 'provider', providerId, endpoint?.id);
    const counts = this.windows.sums(key, this.windowLengths, now);
    const countsAt = (ms: number) => counts.get(ms) ?? this.windows.sum(key, ms, now);
    const statuses: SloStatus[] = [];
    const firing: SeriesEval['firing'] = [];
    for (const slo of slos) {
      const thresholdIndex = slo.thresholdMs === undefined ? -1 : this.thresholds.indexOf(slo.thresholdMs);
      const e = evaluateSlo(slo, countsAt, thresholdIndex, this.cfg.alerts.burnRates, this.cfg.alerts.minEventsPerHour);
      statuses.push(e.status);
      // Global SLOs alert per provider; an endpoint alerts only for an SLO that names it.
      if (e.firing.length > 0 && (endpoint === null || slo.endpoint !== undefined)) firing.push({ slo, conds: e.firing });
    }
    return { key, providerId, endpoint, five: countsAt(5 * MINUTE), hour: countsAt(HOUR), slos: statuses, firing };
  }

  /** Resolves once the history is loaded (tick and flush wait for it on their own). */
  whenReady(): Promise<void> {
    return this.ready;
  }

  evaluateSlos(now: number): Map<string, SloStatus[]> {
    const out = new Map<string, SloStatus[]>();
    for (const p of this.providers()) out.set(`provider|${p}`, this.evalSeries(`provider|${p}`, p, null, now).slos);
    for (const [k, e] of this.endpoints()) out.set(k, this.evalSeries(k, e.providerId, e, now).slos);
    return out;
  }

  /** Host, process and resolver breakdowns of every provider over the recent window. */
  private breakdowns(now: number): Map<string, { hosts: BreakdownEntry[]; processes: BreakdownEntry[]; resolvers: BreakdownEntry[] }> {
    const out = new Map<string, { hosts: BreakdownEntry[]; processes: BreakdownEntry[]; resolvers: BreakdownEntry[] }>();
    for (const key of this.windows.keys()) {
      const id = parseSeriesKey(key);
      if (id.scope !== 'host' && id.scope !== 'process' && id.scope !== 'resolver') continue;
      const c = this.windows.sum(key, ATTRIBUTION_MS, now + 1);
      if (c.total === 0) continue;
      let entry = out.get(id.provider);
      if (!entry) {
        entry = { hosts: [], processes: [], resolvers: [] };
        out.set(id.provider, entry);
      }
      const e: BreakdownEntry = { value: id.value ?? '', total: c.total, failed: c.failed, failureRatio: c.failed / c.total };
      (id.scope === 'host' ? entry.hosts : id.scope === 'process' ? entry.processes : entry.resolvers).push(e);
    }
    const worst = (a: BreakdownEntry, b: BreakdownEntry) => (b.failureRatio ?? 0) - (a.failureRatio ?? 0) || b.total - a.total;
    for (const e of out.values()) {
      e.hosts.sort(worst);
      e.processes.sort(worst);
      e.resolvers.sort(worst);
    }
    return out;
  }

  private async refreshBaselines(now: number, slicer: TimeSlicer): Promise<void> {
    const hourStart = now - (now % HOUR);
    if (hourStart === this.baselineHour) return;
    this.baselineHour = hourStart;
    const a = this.cfg.alerts.anomaly;
    const buckets = await this.store.queryBuckets({ level: 'hour', from: hourStart - a.historyDays * DAY, to: hourStart, keyPrefix: 'provider|' });
    const byKey = new Map<string, Bucket[]>();
    for (const b of buckets) {
      const list = byKey.get(b.key);
      if (list) list.push(b);
      else byKey.set(b.key, [b]);
    }
    // An hour is a sample when it holds at least a quarter hour's worth of the minimum volume.
    const minCount = Math.max(1, Math.ceil(a.minEvents / 4));
    const baselines = new Map<string, { ratio: SeasonalBaseline; latency: SeasonalBaseline }>();
    for (const [key, list] of byKey) {
      await slicer.yieldIfDue();
      const ratio = list.map((b) => {
        const c = bucketCalls(b.counters);
        return { start: b.start, value: c.total > 0 ? c.failed / c.total : NaN, count: c.total };
      });
      const latency = list.map((b) => {
        const s = new LatencySketch();
        if (b.latency.connect) s.merge(b.latency.connect);
        if (b.latency.probeTotal) s.merge(b.latency.probeTotal);
        return { start: b.start, value: s.quantile(0.5) ?? NaN, count: s.count };
      });
      baselines.set(key, { ratio: buildBaseline(ratio, minCount), latency: buildBaseline(latency, minCount) });
    }
    this.baselines = baselines;
  }

  private recentLatency(key: string, now: number): { p50: number | null; count: number } {
    const s = new LatencySketch();
    for (const b of this.recent) {
      if (b.key !== key || b.start < now - RECENT_MS) continue;
      if (b.latency.connect) s.merge(b.latency.connect);
      if (b.latency.probeTotal) s.merge(b.latency.probeTotal);
    }
    return { p50: s.quantile(0.5), count: s.count };
  }

  async tick(nowArg?: number): Promise<TickResult> {
    await this.ready;
    const now = nowArg ?? this.clock.now();
    // The tick's work is long but divisible: it yields between series and providers so requests
    // to the status server never wait behind a whole tick.
    const slicer = new TimeSlicer();
    await this.flushSliced(slicer);
    this.recent = this.recent.filter((b) => b.start >= now - RECENT_MS);
    if (now - this.lastPrune >= HOUR) {
      this.lastPrune = now;
      await this.store.prune(now, this.cfg.store.retentionMs);
    }
    const a = this.cfg.alerts;

    const providerEvals = new Map<string, SeriesEval>();
    for (const p of this.providers()) {
      providerEvals.set(p, this.evalSeries(`provider|${p}`, p, null, now));
      await slicer.yieldIfDue();
    }
    const endpointEvals: SeriesEval[] = [];
    for (const [k, e] of this.endpoints()) {
      endpointEvals.push(this.evalSeries(k, e.providerId, e, now));
      await slicer.yieldIfDue();
    }

    const breakdowns = this.breakdowns(now);
    const failingProviders = [...providerEvals.values()]
      .filter((e) => e.providerId !== UNKNOWN_PROVIDER && e.five.total >= FAILING_MIN_CALLS && e.five.failed / e.five.total >= FAILING_RATIO)
      .map((e) => e.providerId);
    const resolversAll = new Map<string, BreakdownEntry>();
    for (const p of failingProviders) {
      for (const r of breakdowns.get(p)?.resolvers ?? []) {
        const have = resolversAll.get(r.value) ?? { value: r.value, total: 0, failed: 0, failureRatio: null };
        have.total += r.total;
        have.failed += r.failed;
        have.failureRatio = have.total > 0 ? have.failed / have.total : null;
        resolversAll.set(r.value, have);
      }
    }
    const attributionOf = (providerId: string): Attribution => {
      const bd = breakdowns.get(providerId) ?? { hosts: [], processes: [], resolvers: [] };
      return attribute({
        provider: { providerId, ...bd },
        failingProviders: failingProviders.includes(providerId) ? failingProviders : [...failingProviders, providerId],
        resolversAll: [...resolversAll.values()],
        hostZones: this.agg.hostZones,
        localMinProviders: a.attribution.localMinProviders,
      });
    };

    // Alert candidates.
    await this.refreshBaselines(now, slicer);
    const candidates: AlertCandidate[] = [];
    for (const e of [...providerEvals.values(), ...endpointEvals]) {
      if (e.firing.length === 0) continue;
      const attribution = attributionOf(e.providerId);
      for (const f of e.firing) candidates.push(...burnRateCandidates(f.conds, f.slo, e.providerId, e.endpoint?.id ?? null, attribution));
    }
    if (a.anomaly.enabled) {
      for (const p of providerEvals.keys()) {
        await slicer.yieldIfDue();
        const base = this.baselines.get(`provider|${p}`);
        if (!base) continue;
        const recent = this.windows.sum(`provider|${p}`, RECENT_MS, now + 1);
        if (recent.total >= a.anomaly.minEvents) {
          const ratio = recent.failed / recent.total;
          const score = ratioAnomaly(base.ratio, now - RECENT_MS, now, ratio, recent.total);
          if (score && score.significance >= a.anomaly.significance) candidates.push(anomalyCandidate('failure_ratio', p, ratio, recent.total, score, attributionOf(p)));
        }
        const lat = this.recentLatency(`provider|${p}`, now);
        if (lat.p50 !== null && lat.count >= a.anomaly.minEvents) {
          const score = latencyAnomaly(base.latency, now - RECENT_MS, now, lat.p50, lat.count);
          if (score && score.significance >= a.anomaly.significance) candidates.push(anomalyCandidate('latency', p, lat.p50, lat.count, score, attributionOf(p)));
        }
      }
    }
    for (const f of this.findings) candidates.push(dnsFindingCandidate(f));

    // Maintenance windows and silences: no alerts for what they cover.
    const maintenance = await this.store.listMaintenance();
    const silences = await this.store.listSilences();
    const activeMaint = maintenance.filter((m) => inWindow(now, m));
    const activeSilences = silences.filter((s) => inWindow(now, s));
    const covered = (c: AlertCandidate) =>
      activeMaint.some((m) => m.scope === '*' || m.scope === c.providerId || (c.endpointId !== null && m.scope === c.endpointId)) ||
      activeSilences.some((s: Silence) =>
        (s.providerId === undefined || s.providerId === c.providerId) &&
        (s.endpointId === undefined || s.endpointId === c.endpointId) &&
        (s.alertName === undefined || s.alertName === c.name));
    const allowed = candidates.filter((c) => !covered(c));
    const suppressed = candidates.length - allowed.length;

    const t = this.book.evaluate(allowed, now);
    if (t.fired.length > 0 || t.resolved.length > 0) {
      await this.incidents.apply(t.fired, t.resolved, t.active, now);
      await this.store.putAlertState(this.book.state());
    }
    const openIncidents = await this.store.listIncidents({ state: 'open' });
    this.dispatcher.update(t.resolved, t.active, now);
    const snapshot = await this.buildSnapshot(now, providerEvals, endpointEvals, t.active, breakdowns, maintenance, slicer);
    await this.store.putSnapshot(snapshot);
    await this.dispatcher.tick(now, (key) => openIncidents.find((i) => i.providerId === key) ?? null);
    return { at: now, fired: t.fired, resolved: t.resolved, active: t.active, suppressed, snapshot };
  }

  private async buildSnapshot(
    now: number,
    providerEvals: Map<string, SeriesEval>,
    endpointEvals: SeriesEval[],
    active: readonly Alert[],
    breakdowns: Map<string, { hosts: BreakdownEntry[]; processes: BreakdownEntry[]; resolvers: BreakdownEntry[] }>,
    maintenance: readonly MaintenanceWindow[],
    slicer: TimeSlicer,
  ): Promise<HealthSnapshot> {
    const today = now - (now % DAY);
    // Past days do not change: read them once a day, and only today's buckets at every tick.
    if (this.pastDaysFor !== today) {
      this.pastDays = await this.store.queryBuckets({ level: 'day', from: today - 89 * DAY, to: today, keyPrefix: 'provider|' });
      this.pastDaysFor = today;
      this.pastDaysGen++;
    }
    const todayDays = await this.store.queryBuckets({ level: 'day', from: today, to: today + DAY, keyPrefix: 'provider|' });
    const minutes = await this.store.queryBuckets({ level: 'minute', from: now - HOUR, to: now + MINUTE, keyPrefix: 'provider|' });
    await slicer.yieldIfDue();
    const endpointMinutes = await this.store.queryBuckets({ level: 'minute', from: now - HOUR, to: now + MINUTE, keyPrefix: 'endpoint|' });
    await slicer.yieldIfDue();
    const incidents = await this.store.listIncidents({ from: today - 89 * DAY });
    const group = (list: readonly Bucket[]) => {
      const m = new Map<string, Bucket[]>();
      for (const b of list) {
        const l = m.get(b.key);
        if (l) l.push(b);
        else m.set(b.key, [b]);
      }
      return m;
    };
    const pastDaysBy = group(this.pastDays);
    const todayDaysBy = group(todayDays);
    const minutesBy = group(minutes);
    await slicer.yieldIfDue();
    const endpointMinutesBy = group(endpointMinutes);
    await slicer.yieldIfDue();
    const firingFor = (p: string, endpointId: string | null, sev: 'page' | 'ticket') =>
      active.some((x) => x.providerId === p && (endpointId === null || x.endpointId === endpointId) && x.severity === sev);
    const latencyIndexOf = () => {
      const slo = this.cfg.slos.find((s) => s.kind === 'latency');
      return slo?.thresholdMs === undefined ? { index: -1, threshold: null } : { index: this.thresholds.indexOf(slo.thresholdMs), threshold: slo.thresholdMs };
    };
    const li = latencyIndexOf();
    const judge = (e: SeriesEval, endpointId: string | null) => {
      const success = e.slos.find((s) => s.kind === 'success');
      const latencyMissed = e.slos.some((s) => s.kind === 'latency' && s.burnRates['1h'] !== null && s.burnRates['1h'] !== undefined && (s.burnRates['1h'] as number) > 1);
      const score = reliabilityScore({ hour: e.hour, latencyIndex: li.index, latencyThresholdMs: li.threshold, budgetRemaining: success?.budgetRemaining ?? null });
      const state = healthState({ fiveMin: e.five, hour: e.hour, pageFiring: firingFor(e.providerId, endpointId, 'page'), ticketFiring: firingFor(e.providerId, endpointId, 'ticket'), latencyMissed });
      return { score, state };
    };

    const endpointsBy = new Map<string, EndpointSummary[]>();
    for (const e of endpointEvals) {
      await slicer.yieldIfDue();
      const info = e.endpoint as EndpointInfo;
      const { score, state } = judge(e, info.id);
      const sketches = this.hourLatency.of(e.key, endpointMinutesBy.get(e.key) ?? [], now);
      const sk = mergedSketch(sketches, ['connect', 'probeTotal']);
      const summary: EndpointSummary = {
        id: info.id,
        providerId: info.providerId,
        name: info.name,
        service: info.service,
        region: info.region,
        state,
        score,
        total: e.hour.total,
        failed: e.hour.failed,
        successRatio: e.hour.total > 0 ? 1 - e.hour.failed / e.hour.total : null,
        p50Ms: sk.quantile(0.5),
        p99Ms: sk.quantile(0.99),
        resetRate: e.hour.tcpAttempts > 0 ? e.hour.resets / e.hour.tcpAttempts : null,
        retransmitRate: e.hour.tcpAttempts > 0 ? e.hour.retransmits / e.hour.tcpAttempts : null,
        lastSeen: info.lastSeen || null,
        checks: componentChecks(info, sketches, state, e.hour, now),
        slos: e.slos,
      };
      const list = endpointsBy.get(info.providerId);
      if (list) list.push(summary);
      else endpointsBy.set(info.providerId, [summary]);
    }

    const providers: ProviderDetail[] = [];
    let overall: HealthState = 'operational';
    for (const [p, e] of providerEvals) {
      await slicer.yieldIfDue();
      const { score, state } = judge(e, null);
      if (p !== UNKNOWN_PROVIDER) overall = worstState(overall, state);
      const pIncidents = incidents.filter((i) => i.providerId === p || (i.providerId === 'local' && i.state === 'open'));
      const pMaint = maintenance.filter((m) => m.scope === '*' || m.scope === p || m.scope.startsWith(`${p}|`));
      const ud = this.uptime.days(p, this.pastDaysGen, pastDaysBy.get(`provider|${p}`) ?? [], todayDaysBy.get(`provider|${p}`) ?? [], now, 90, pIncidents, pMaint);
      const mins = minutesBy.get(`provider|${p}`) ?? [];
      const budgets = e.slos.map((s) => s.budgetRemaining).filter((v): v is number => v !== null);
      const endpoints = (endpointsBy.get(p) ?? []).sort((x, y) => x.name.localeCompare(y.name));
      const bd = breakdowns.get(p) ?? { hosts: [], processes: [], resolvers: [] };
      const lastSeen = endpoints.reduce<number | null>((m, x) => (x.lastSeen !== null && (m === null || x.lastSeen > m) ? x.lastSeen : m), null);
      providers.push({
        id: p,
        name: p,
        state,
        score,
        uptimeDays: ud,
        uptime90dPct: uptimePct(ud),
        latency: callSeries(mins),
        slos: e.slos,
        errorBudgetRemaining: budgets.length ? Math.min(...budgets) : null,
        endpointCount: endpoints.length,
        openIncidents: pIncidents.filter((i: Incident) => i.state === 'open').length,
        total: e.hour.total,
        failed: e.hour.failed,
        lastSeen,
        endpoints,
        phases: {
          dns: latencySeries(mins, ['probeDns', 'dns']),
          connect: latencySeries(mins, ['connect', 'probeConnect']),
          tls: latencySeries(mins, ['probeTls']),
          firstByte: latencySeries(mins, ['probeFirstByte']),
        },
        affected: { hosts: bd.hosts.slice(0, 20), processes: bd.processes.slice(0, 20), resolvers: bd.resolvers.slice(0, 20) },
        incidents: pIncidents.slice(0, 20),
        maintenance: pMaint.filter((m) => m.endsAt > now - 7 * DAY),
      });
    }
    this.uptime.retain(new Set(providerEvals.keys()));
    this.hourLatency.retain(new Set(endpointEvals.map((e) => e.key)));
    providers.sort((x, y) => (x.id === UNKNOWN_PROVIDER ? 1 : y.id === UNKNOWN_PROVIDER ? -1 : x.id.localeCompare(y.id)));
    return { at: now, overall, providers };
  }

  alerts(): Alert[] {
    return this.book.state().active;
  }

  counters(): EngineCounters {
    return { aggregator: this.agg.counters, notifications: this.dispatcher.counters, flushes: this.flushes, bucketsWritten: this.bucketsWritten };
  }

  async close(): Promise<void> {
    await this.ready;
    await this.flush();
    await this.store.putAlertState(this.book.state());
  }
}

/** The signals' sketches merged into one (a single signal's sketch as it is). */
function mergedSketch(sketches: SignalSketches, signals: ReadonlyArray<keyof Bucket['latency']>): LatencySketch {
  const present = signals.map((s) => sketches[s]).filter((s): s is LatencySketch => s !== undefined);
  if (present.length === 1) return present[0];
  const out = new LatencySketch();
  for (const s of present) out.merge(s);
  return out;
}

/** Health per component (dns, tcp, http, tls) of an endpoint, from its last hour's latency per signal. */
function componentChecks(info: EndpointInfo, sketches: SignalSketches, state: HealthState, hour: SliCounts, now: number): Record<string, ComponentHealth> {
  const status: ComponentHealth['status'] = state === 'operational' ? 'pass' : state === 'degraded' ? 'warn' : 'fail';
  const ratio = hour.total > 0 ? `${((1 - hour.failed / hour.total) * 100).toFixed(2)} % of ${hour.total} calls succeeded in the last hour` : 'no calls in the last hour';
  const median = (signals: Array<keyof Bucket['latency']>) => {
    const s = mergedSketch(sketches, signals);
    return s.count > 0 ? Math.round((s.quantile(0.5) ?? 0) * 100) / 100 : null;
  };
  const time = info.lastSeen || now;
  const out: Record<string, ComponentHealth> = {};
  if (info.probeType === null) {
    out.tcp = { status, observedValue: median(['connect']), observedUnit: 'ms', time, output: ratio };
    return out;
  }
  const dns = median(['probeDns']);
  if (dns !== null || info.probeType === 'dns') out.dns = { status, observedValue: info.probeType === 'dns' ? median(['probeTotal']) : dns, observedUnit: 'ms', time, output: ratio };
  const connect = median(['probeConnect']);
  if (connect !== null || info.probeType === 'tcp') out.tcp = { status, observedValue: connect, observedUnit: 'ms', time, output: ratio };
  const tls = median(['probeTls']);
  if (tls !== null || info.probeType === 'tls') out.tls = { status, observedValue: tls, observedUnit: 'ms', time, output: ratio };
  if (info.probeType === 'http') out.http = { status, observedValue: median(['probeFirstByte']), observedUnit: 'ms', time, output: ratio };
  return out;
}

