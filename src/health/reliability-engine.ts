// The reliability stage: ingests events into rollups and, at each tick, sequences its parts:
// persistence, SLO evaluation, attribution, anomalies, suppression, alerts and incidents, and the
// health snapshot. Notifying people is the alerting stage's job (src/alert/), fed by the tick result.
//
// Wiring (the run command): createReliabilityEngine({store, settings, …}) as the labelling stage's
// sink (ingestEvents()/ingestLookups()), reportDnsFindings() from the DNS analysis, tick() every
// few seconds, close() on shutdown.
import { hostname } from 'node:os';
import { systemClock, type Clock } from '../clock.js';
import { endpointName, type LabeledEvent, type LabeledLookup, type LabeledSink } from '../external/labeled-event.js';
import { TimeSlicer } from '../time-slice.js';
import { AlertBook, type AlertCandidate } from './alerts/alert-book.js';
import type { Alert } from './alerts/alert.js';
import { burnRateCandidates, dnsFindingCandidate } from './alerts/alert-candidates.js';
import type { Incident } from './alerts/incident.js';
import { IncidentTracker } from './alerts/incident-tracker.js';
import { CheckStreaks, NO_CHECKS, type CheckThresholds } from './alerts/check-streaks.js';
import { certificateCandidates } from './alerts/certificate-expiry.js';
import { CheckLastRuns } from './snapshot/check-last-runs.js';
import { suppressed } from './alerts/suppression.js';
import { guardedStore, StoreWrites, type StoreWriteStatus } from './store-writes.js';
import type { EngineStore } from './engine-store.js';
import type { AlertRuleSettings, RollupSettings, SloDefinition } from './engine-settings.js';
import { AnomalyDetector } from './evaluation/anomaly-detector.js';
import { attributionAtTick } from './evaluation/attribution.js';
import { breakdowns } from './evaluation/breakdowns.js';
import { dnsSignalCandidates } from './evaluation/dns-signal.js';
import { SeriesEvaluator, type SeriesEvaluation } from './evaluation/series-evaluation.js';
import { EventAggregator, UNKNOWN_PROVIDER, type AggregatorCounters } from './rollups/aggregator.js';
import { LEVEL_MS, parseSeriesKey, seriesKey } from './rollups/bucket.js';
import { chooseHistory } from './rollups/history-budget.js';
import { MemoryGuard, type MemoryState } from './rollups/memory-guard.js';
import { KnownSeries } from './rollups/known-series.js';
import { RollupPersistence } from './rollups/rollup-persistence.js';
import { SliWindows } from './rollups/sli-windows.js';
import type { DnsFindingInput, EventOrigin } from './signal-inputs.js';
import type { HealthSnapshot } from './snapshot/health-snapshot.js';
import { SnapshotBuilder } from './snapshot/snapshot-builder.js';

/** While memory is short, endpoints unseen this long are forgotten. */
const SHED_IDLE_MS = 5 * 60_000;

/** HTTPS checks warn about their certificate under this many days (TLS checks have warnDays). */
const HTTPS_CERT_WARN_DAYS = 21;

export interface ReliabilitySettings {
  rollups: RollupSettings;
  slos: readonly SloDefinition[];
  alerts: AlertRuleSettings;
  /** The configured checks' consecutive-runs thresholds (none: defaults for every check). */
  checks?: ReadonlyArray<{ name: string } & CheckThresholds>;
}

export interface ReliabilityEngineOptions {
  /** Opened store (the server reads the same one). */
  store: EngineStore;
  settings: ReliabilitySettings;
  clock?: Clock;
  /** Name of this host (host breakdown); defaults to os.hostname(). */
  hostName?: string;
  /** Resident memory of the process, bytes (default: process.memoryUsage.rss). */
  memoryUsage?: () => number;
  /** Receives one-line messages (store notices, writes failing and resuming). */
  log?: (line: string) => void;
}

/** What one tick decided: the alerting stage notifies from it, the server shows its snapshot. */
export interface TickResult {
  at: number;
  /** Alerts that started or resolved at this tick. */
  fired: Alert[];
  resolved: Alert[];
  /** Every alert firing after this tick. */
  active: Alert[];
  /** Candidates dropped because a maintenance window or a silence covered them. */
  suppressed: number;
  /** Incidents open after this tick. */
  openIncidents: Incident[];
  snapshot: HealthSnapshot;
}

export interface EngineCounters {
  aggregator: AggregatorCounters;
  bucketsWritten: number;
}

/** The stage object the run command drives. */
export interface ReliabilityEngine extends LabeledSink {
  /** Labelled events about endpoints, in batches; cheap (counters only), never awaits. */
  ingestEvents(events: readonly LabeledEvent[], origin?: EventOrigin): void;
  /** Labelled DNS lookups (finished transactions of the DNS analysis). */
  ingestLookups(lookups: readonly LabeledLookup[], origin?: EventOrigin): void;
  /** The configured checks changed (a reload): their thresholds; checks no longer configured are forgotten. */
  configureChecks(checks: ReadonlyArray<{ name: string } & CheckThresholds>): void;
  /** The DNS analysis's current findings (replaces the previous list; absent ones resolve at the next tick). */
  reportDnsFindings(findings: readonly DnsFindingInput[]): void;
  /** Flushes, evaluates everything, updates alerts and incidents, and publishes the snapshot. */
  tick(now?: number): Promise<TickResult>;
  /** Writes pending buckets to the store (one batch). */
  flush(): Promise<void>;
  /** Active alerts. */
  alerts(): Alert[];
  counters(): EngineCounters;
  /** Whether the store is writing what the engine hands it. */
  storeStatus(): StoreWriteStatus;
  /** Memory in use against the limit, and whether detail is being shed. */
  memoryStatus(): MemoryState;
  /** Final flush and persistence; does not close the store (its owner does). */
  close(): Promise<void>;
}

/**
 * Builds the stage. It returns at once: rebuilding the SLO windows from the store (35 days of
 * hourly history) continues in the background so the agent starts fast; ingest() works meanwhile,
 * and flush(), tick() and close() wait for it.
 */
export function createReliabilityEngine(opts: ReliabilityEngineOptions): ReliabilityEngine {
  return new Engine(opts);
}

class Engine implements ReliabilityEngine {
  private readonly store: EngineStore;
  private readonly clock: Clock;
  private readonly settings: ReliabilitySettings;
  private readonly aggregator: EventAggregator;
  private readonly known: KnownSeries;
  private readonly evaluator: SeriesEvaluator;
  private readonly windows: SliWindows;
  private readonly persistence: RollupPersistence;
  private readonly anomalies: AnomalyDetector;
  private readonly snapshots: SnapshotBuilder;
  private readonly incidents: IncidentTracker;
  private book = new AlertBook();
  private readonly streaks = new CheckStreaks();
  private readonly lastRuns = new CheckLastRuns();
  /** Days under which each check's certificate warns. */
  private certWarnDays = new Map<string, number>();
  private findings: DnsFindingInput[] = [];
  private readonly ready: Promise<void>;
  private readonly writes: StoreWrites;
  private readonly memory: MemoryGuard;
  private readonly log: (line: string) => void;

  constructor(opts: ReliabilityEngineOptions) {
    const { rollups, slos, alerts } = opts.settings;
    this.clock = opts.clock ?? systemClock;
    const log = opts.log ?? (() => {});
    this.log = log;
    this.writes = new StoreWrites(() => this.clock.now(), log);
    this.memory = new MemoryGuard(rollups.limits.memoryBytes, opts.memoryUsage);
    this.store = guardedStore(opts.store, this.writes);
    this.settings = opts.settings;
    this.aggregator = new EventAggregator({
      hostName: opts.hostName ?? hostname(),
      breakdownLimit: rollups.breakdownLimit,
      limits: rollups.limits,
    });
    this.known = new KnownSeries(this.aggregator);
    this.evaluator = new SeriesEvaluator(slos, alerts);
    this.windows = new SliWindows(this.evaluator.thresholdsMs, { minuteMs: rollups.retentionMs.minute, hourMs: rollups.retentionMs.hour });
    this.persistence = new RollupPersistence(this.store, rollups.retentionMs);
    this.anomalies = new AnomalyDetector(alerts.anomaly);
    this.snapshots = new SnapshotBuilder(this.store);
    this.incidents = new IncidentTracker(this.store);
    this.configureChecks(opts.settings.checks ?? []);
    this.ready = this.loadHistory().catch((err: unknown) => {
      // Without history the engine still works; it says so once.
      this.log(`health: could not load history from the store (${err instanceof Error ? err.message : String(err)}); SLO windows start empty`);
    });
  }

  /** Rebuilds the windows and the alert state from the store, so a restart keeps SLO history and alerts. */
  private async loadHistory(): Promise<void> {
    const now = this.clock.now();
    this.book = new AlertBook(await this.store.getAlertState());
    this.streaks.restore(this.book.state().active);
    const history = await this.persistence.recentHistory(now);
    const chosen = chooseHistory([...history.minutes, ...history.hours], this.settings.rollups.limits);
    if (chosen.skippedProviders || chosen.skippedEndpoints) {
      this.log(`health: the store's history holds more series than the limits: the busiest are loaded, ${chosen.skippedProviders} providers and ${chosen.skippedEndpoints} endpoints stay on disk only`);
    }
    const minutes = history.minutes.filter((b) => chosen.keep(b.key));
    const hours = history.hours.filter((b) => chosen.keep(b.key));
    // Hour buckets are loaded on their own: minutes must not feed the hour ring a second time.
    for (const b of minutes) this.windows.add(b, false);
    for (const b of hours) this.windows.add(b);
    for (const b of [...minutes, ...hours]) this.known.remember(b.key, b.start + LEVEL_MS[b.level]);
    this.anomalies.observe(minutes, now);
  }

  /**
   * Keeps memory bounded: forgets endpoints idle past the idle time and discovered providers left
   * without endpoints, with their windows (history stays in the store); while memory is short,
   * sheds detail (new series count as "other", idle means a few minutes).
   */
  private forgetIdle(now: number): void {
    const memory = this.memory.check();
    this.aggregator.shedding = memory.shedding;
    const idleMs = memory.shedding ? Math.min(SHED_IDLE_MS, this.settings.rollups.endpointIdleMs) : this.settings.rollups.endpointIdleMs;
    const forgotten = this.aggregator.forgetIdle(now - idleMs);
    const endpoints = new Set([...forgotten.endpointKeys, ...this.known.forget(forgotten, now - idleMs)]);
    if (endpoints.size === 0 && forgotten.providers.length === 0) return;
    const providers = new Set(forgotten.providers);
    this.windows.forget((key) => endpoints.has(key) || providers.has(parseSeriesKey(key).provider));
  }

  ingestEvents(events: readonly LabeledEvent[], origin?: EventOrigin): void {
    this.aggregator.ingestEvents(events, origin);
    for (const e of events) {
      if (e.event.type !== 'probe') continue;
      const provider = e.label.provider || UNKNOWN_PROVIDER;
      const endpointId = `${provider}|${endpointName(e)}`;
      this.streaks.observe(e.event, provider, endpointId);
      this.lastRuns.record(seriesKey('endpoint', provider, endpointId), e.event, { providerId: provider, endpointId }, this.certWarnDays.get(e.event.check) ?? HTTPS_CERT_WARN_DAYS);
    }
  }

  configureChecks(checks: ReadonlyArray<{ name: string } & CheckThresholds>): void {
    this.streaks.configure(checks);
    this.certWarnDays = new Map(checks.map((c) => [c.name, c.warnDays ?? HTTPS_CERT_WARN_DAYS]));
    if (checks.length) this.lastRuns.retain(new Set(checks.map((c) => c.name)));
  }

  ingestLookups(lookups: readonly LabeledLookup[], origin?: EventOrigin): void {
    this.aggregator.ingestLookups(lookups, origin);
  }

  reportDnsFindings(findings: readonly DnsFindingInput[]): void {
    this.findings = findings.slice();
  }

  async flush(): Promise<void> {
    await this.flushSliced(new TimeSlicer());
  }

  private async flushSliced(slicer: TimeSlicer): Promise<void> {
    await this.ready;
    if (this.aggregator.empty) return;
    const minutes = this.aggregator.drain();
    for (const b of minutes) {
      this.windows.add(b);
      await slicer.yieldIfDue();
    }
    this.anomalies.observe(minutes, this.clock.now());
    this.snapshots.noteWritten(minutes);
    await this.persistence.write(minutes);
  }

  async tick(nowArg?: number): Promise<TickResult> {
    await this.ready;
    const now = nowArg ?? this.clock.now();
    // The tick's work is long but divisible: it yields between series and providers so requests
    // to the status server never wait behind a whole tick.
    const slicer = new TimeSlicer();
    const yieldIfDue = () => slicer.yieldIfDue();
    // Writes never hold evaluation up: a store that cannot write keeps the changes in memory.
    if (this.writes.failing) await this.store.flushPending();
    await this.flushSliced(slicer);
    await this.persistence.pruneIfDue(now);

    this.forgetIdle(now);
    const { providers, endpoints } = await this.evaluate(now, yieldIfDue);
    const affected = breakdowns(this.windows, now);
    const attributionOf = attributionAtTick({
      providers: [...providers.values()].filter((e) => e.providerId !== UNKNOWN_PROVIDER),
      breakdowns: affected,
      hostZones: this.aggregator.hostZones,
      localMinProviders: this.settings.alerts.attribution.localMinProviders,
    });

    const candidates: AlertCandidate[] = [];
    for (const e of [...providers.values(), ...endpoints]) {
      for (const f of e.firing) candidates.push(...burnRateCandidates(f.conditions, f.slo, e.providerId, e.endpoint?.id ?? null, attributionOf(e.providerId)));
    }
    await this.anomalies.refresh(this.store, now, yieldIfDue);
    candidates.push(...await this.anomalies.candidates(providers.keys(), this.windows, now, attributionOf, yieldIfDue));
    for (const f of this.findings) candidates.push(dnsFindingCandidate(f));
    candidates.push(...dnsSignalCandidates(affected));
    candidates.push(...this.streaks.candidates(attributionOf));
    candidates.push(...certificateCandidates(this.lastRuns));

    // Maintenance windows and silences: no alerts for what they cover.
    const maintenance = await this.store.listMaintenance();
    const silences = await this.store.listSilences();
    const allowed = candidates.filter((c) => !suppressed(c, maintenance, silences, now));

    const transitions = this.book.evaluate(allowed, now);
    if (transitions.fired.length > 0 || transitions.resolved.length > 0) {
      await this.incidents.apply(transitions.fired, transitions.resolved, transitions.active, now);
      await this.store.putAlertState(this.book.state());
    }
    const openIncidents = await this.store.listIncidents({ state: 'open' });
    const snapshot = await this.snapshots.build({
      now, providers, endpoints, active: transitions.active, breakdowns: affected, maintenance, latency: this.evaluator.latencyThreshold(), lastRuns: this.lastRuns, yieldIfDue,
    });
    await this.store.putSnapshot(snapshot);
    return { at: now, ...transitions, suppressed: candidates.length - allowed.length, openIncidents, snapshot };
  }

  /** Every provider's and endpoint's evaluation at `now`. */
  private async evaluate(now: number, yieldIfDue: () => Promise<void>): Promise<{ providers: Map<string, SeriesEvaluation>; endpoints: SeriesEvaluation[] }> {
    const providers = new Map<string, SeriesEvaluation>();
    for (const p of this.known.providers()) {
      providers.set(p, this.evaluator.evaluate(this.windows, seriesKey('provider', p), p, null, now, this.streaks.ofSeries(p)));
      await yieldIfDue();
    }
    const endpoints: SeriesEvaluation[] = [];
    for (const [key, info] of this.known.endpoints(now - this.settings.rollups.endpointIdleMs)) {
      endpoints.push(this.evaluator.evaluate(this.windows, key, info.providerId, info, now, info.probeType ? this.streaks.ofSeries(info.providerId, info.id) : NO_CHECKS));
      await yieldIfDue();
    }
    return { providers, endpoints };
  }

  alerts(): Alert[] {
    return this.book.state().active;
  }

  storeStatus(): StoreWriteStatus {
    return this.writes.status();
  }

  memoryStatus(): MemoryState {
    return this.memory.current;
  }

  counters(): EngineCounters {
    return { aggregator: this.aggregator.counters, bucketsWritten: this.persistence.bucketsWritten };
  }

  async close(): Promise<void> {
    await this.ready;
    await this.flush();
    await this.store.putAlertState(this.book.state());
  }
}
