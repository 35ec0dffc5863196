// The Store interface and the read-model types: everything the health engine writes and the server reads goes through it.
//
// The embedded default keeps pre-aggregated rollups in sharded lowdb files (src/store/lowdb-store.ts);
// an in-memory implementation (src/store/memory-store.ts) serves tests, and a Prometheus-backed one
// can replace both later because nothing else touches files. Raw events are never stored.
// Times are milliseconds since the Unix epoch; ISO strings are added only at the JSON surface.
// This file is a contract for other stages: extend it additively, never rename or remove fields.

/** Rollup granularity of a bucket. */
export type RollupLevel = 'minute' | 'hour' | 'day';

export const ROLLUP_LEVELS: readonly RollupLevel[] = ['minute', 'hour', 'day'];

/** Bucket width of each level, in ms. */
export const LEVEL_MS: Readonly<Record<RollupLevel, number>> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

import type { SketchData } from '../sketch/latency-sketch.js';
export type { SketchData };

/**
 * Counters of one bucket. Every field is a plain count so buckets merge by addition; absent fields
 * are zero (kept absent on disk to save space).
 */
export interface BucketCounters {
  /** DNS transactions for the provider's names: total and failed (SERVFAIL, timeout, REFUSED…; not NXDOMAIN). */
  dnsTotal?: number;
  dnsFailed?: number;
  /** Outbound TCP connects that finished (established + failed) and those that failed. */
  tcpAttempts?: number;
  tcpFailed?: number;
  /** Failed connects by reason: refused, timeout, unreachable, reset, other. */
  tcpRefused?: number;
  tcpTimeout?: number;
  /** Connection resets seen (TcpEvent 'reset'). */
  tcpResets?: number;
  /** Retransmitted segments (TcpEvent 'retransmit'); tcpSynRetransmits counts SYN retries among them. */
  tcpRetransmits?: number;
  tcpSynRetransmits?: number;
  /** Blackbox check runs and failed ones. */
  probeTotal?: number;
  probeFailed?: number;
}

export type CounterName = keyof BucketCounters;

/** Latency signals kept as sketches, in ms. */
export type LatencySignal = 'dns' | 'connect' | 'probeDns' | 'probeConnect' | 'probeTls' | 'probeFirstByte' | 'probeTotal';

export const LATENCY_SIGNALS: readonly LatencySignal[] = ['dns', 'connect', 'probeDns', 'probeConnect', 'probeTls', 'probeFirstByte', 'probeTotal'];

/**
 * What a series describes: a provider, an endpoint, or a provider broken down by one dimension
 * (host, process, resolver; the number of values per provider is bounded, the rest fold into "other").
 */
export type SeriesScope = 'provider' | 'endpoint' | 'host' | 'process' | 'resolver';

/**
 * Identity of a series. Stable string form (see seriesKey()):
 * "provider|aws", "endpoint|aws|api.example.com:443", "host|aws|web-1", "process|aws|curl", "resolver|aws|10.0.0.2".
 */
export interface SeriesId {
  scope: SeriesScope;
  provider: string;
  /** Endpoint id, host, process name or resolver address; absent for scope provider. */
  value?: string;
}

/** One pre-aggregated bucket of one series. */
export interface Bucket {
  /** seriesKey() of the series. */
  key: string;
  level: RollupLevel;
  /** Bucket start, aligned to LEVEL_MS[level] (UTC). */
  start: number;
  counters: BucketCounters;
  latency: Partial<Record<LatencySignal, SketchData>>;
}

export function seriesKey(id: SeriesId): string {
  return id.value === undefined ? `${id.scope}|${id.provider}` : `${id.scope}|${id.provider}|${id.value}`;
}

export function parseSeriesKey(key: string): SeriesId {
  const first = key.indexOf('|');
  const second = key.indexOf('|', first + 1);
  const scope = key.slice(0, first) as SeriesScope;
  if (second < 0) return { scope, provider: key.slice(first + 1) };
  return { scope, provider: key.slice(first + 1, second), value: key.slice(second + 1) };
}

export interface BucketQuery {
  level: RollupLevel;
  /** Inclusive start and exclusive end of bucket starts. */
  from: number;
  to: number;
  /** Restrict to these series keys; all series when absent. */
  keys?: readonly string[];
  /** Restrict to series whose key starts with this prefix (e.g. "endpoint|aws|"). */
  keyPrefix?: string;
}

// ---------------------------------------------------------------------------------------------
// Read models: computed by the health engine (src/health/) at each tick, stored, served as is.

/** Overall judgement of a provider or endpoint. */
export type HealthState = 'operational' | 'degraded' | 'partial_outage' | 'major_outage';

/** One term of the reliability score: value in [0, 1], weight, and the points it contributes. */
export interface ScoreComponent {
  /** Stable id: "success", "latency", "budget", "stability". */
  name: string;
  /** Human explanation, e.g. "99.2 % of 12 034 calls succeeded in the last hour". */
  detail: string;
  /** Normalised quality in [0, 1] (1 = perfect). */
  value: number;
  /** Weight in the formula (weights sum to 1). */
  weight: number;
  /** value × weight × 100, rounded to 0.1. */
  points: number;
}

/** Reliability score 0–100 = Σ component points (documented in src/health/score.ts). */
export interface ReliabilityScore {
  score: number;
  components: ScoreComponent[];
  /** The formula in one line, for display. */
  formula: string;
}

/** One day of the 90-day uptime bar. */
export interface DayUptime {
  /** "YYYY-MM-DD" (UTC). */
  day: string;
  /** Day start, ms since the epoch. */
  start: number;
  /** Percentage of successful calls (DNS + TCP connects + checks); null when nothing was seen. */
  uptimePct: number | null;
  total: number;
  failed: number;
  /** Median and 99th percentile connect-or-check latency that day, when known. */
  p50Ms: number | null;
  p99Ms: number | null;
  /** Worst state reached that day. */
  worstState: HealthState | null;
  /** Incidents open at some point that day, and whether a maintenance window covered part of it. */
  incidents: number;
  maintenance: boolean;
}

/** One point of a latency or ratio series. */
export interface SeriesPoint {
  /** Bucket start. */
  t: number;
  count: number;
  /** Failures among count (for ratio signals). */
  failed: number;
  p50Ms: number | null;
  p90Ms: number | null;
  p99Ms: number | null;
}

/** Status of one SLO for one provider or endpoint. */
export interface SloStatus {
  /** SLO name from the configuration, e.g. "availability", "latency". */
  slo: string;
  kind: 'success' | 'latency';
  /** Target fraction, e.g. 0.999. */
  objective: number;
  /** Latency SLOs: the threshold in ms ("99 % under thresholdMs"). */
  thresholdMs?: number;
  windowMs: number;
  /** Good fraction over the SLO window; null without data. */
  attained: number | null;
  /** Fraction of the error budget left over the window (1 = untouched, 0 = spent, negative = overspent). */
  budgetRemaining: number | null;
  /** Burn rate per alert window, keyed by window label ("5m", "30m", "1h", "6h", "3d"). */
  burnRates: Record<string, number | null>;
  /** Events counted in the SLO window. */
  total: number;
}

/** Which hosts, processes and resolvers are affected (bounded lists, worst first). */
export interface AffectedBreakdown {
  hosts: BreakdownEntry[];
  processes: BreakdownEntry[];
  resolvers: BreakdownEntry[];
}

export interface BreakdownEntry {
  value: string;
  total: number;
  failed: number;
  /** failed / total over the last 5 minutes (the attribution window); null when total is 0. */
  failureRatio: number | null;
}

/** Health of one component (dns, tcp, http, tls) of an endpoint, for the health+json format. */
export interface ComponentHealth {
  status: 'pass' | 'warn' | 'fail';
  /** Observed value and its unit, e.g. 0.998 "ratio" or 41.2 "ms". */
  observedValue: number | null;
  observedUnit: string;
  /** When last observed. */
  time: number;
  output?: string;
}

export interface EndpointSummary {
  /** Stable id, e.g. "aws|api.example.com:443" or "check|my-api" (URL-safe after encodeURIComponent). */
  id: string;
  providerId: string;
  /** Display name: host:port, the check's target, or the DNS name. */
  name: string;
  service: string | null;
  region: string | null;
  state: HealthState;
  score: ReliabilityScore;
  /** Last hour. */
  total: number;
  failed: number;
  successRatio: number | null;
  p50Ms: number | null;
  p99Ms: number | null;
  /** Resets and retransmits per attempted connect over the last hour. */
  resetRate: number | null;
  retransmitRate: number | null;
  lastSeen: number | null;
  /** Per-component health (keys among dns, tcp, http, tls). */
  checks: Record<string, ComponentHealth>;
  slos: SloStatus[];
}

export interface ProviderSummary {
  id: string;
  name: string;
  state: HealthState;
  score: ReliabilityScore;
  /** 90 entries, oldest first, one per UTC day ending today. */
  uptimeDays: DayUptime[];
  /** Overall uptime over those days, percent; null without data. */
  uptime90dPct: number | null;
  /** Recent latency (1-minute points over the last hour), for the sparkline. */
  latency: SeriesPoint[];
  slos: SloStatus[];
  /** Smallest budgetRemaining among the provider's SLOs (what the row shows); null without data. */
  errorBudgetRemaining: number | null;
  endpointCount: number;
  openIncidents: number;
  /** Last hour. */
  total: number;
  failed: number;
  lastSeen: number | null;
}

/** Per-phase latency series of a provider (the provider page's charts). */
export interface PhaseSeries {
  dns: SeriesPoint[];
  connect: SeriesPoint[];
  tls: SeriesPoint[];
  firstByte: SeriesPoint[];
}

export interface ProviderDetail extends ProviderSummary {
  endpoints: EndpointSummary[];
  phases: PhaseSeries;
  affected: AffectedBreakdown;
  incidents: Incident[];
  maintenance: MaintenanceWindow[];
}

/** Everything the engine computed at one tick. */
export interface HealthSnapshot {
  at: number;
  overall: HealthState;
  providers: ProviderDetail[];
}

// ---------------------------------------------------------------------------------------------
// Alerts, incidents, maintenance.

export type AlertSeverity = 'page' | 'ticket' | 'info';

/** Where a problem lies, and why the engine thinks so. */
export interface Attribution {
  /**
   * local: this host's resolver, NAT or network; provider: the provider itself; host/zone: some hosts
   * or one zone; resolver: one resolver; process: only some client processes; unknown.
   */
  scope: 'local' | 'provider' | 'host' | 'zone' | 'resolver' | 'process' | 'unknown';
  /** What is named: host names, zone, resolver address or provider id. */
  targets: string[];
  /** One sentence, e.g. "4 unrelated providers failed together from this host: local network or resolver". */
  reason: string;
}

/** An alert the engine raises (firing) or clears (resolved). */
export interface Alert {
  /** De-duplication key: same fingerprint = same alert. */
  fingerprint: string;
  /** e.g. "SloBurnRatePage", "SloBurnRateTicket", "LatencyAnomaly", "DnsResolverDown". */
  name: string;
  severity: AlertSeverity;
  state: 'firing' | 'resolved';
  providerId: string | null;
  endpointId: string | null;
  summary: string;
  /** Extra labels (slo, window, resolver…), all strings. */
  labels: Record<string, string>;
  /** Figures behind the decision (burn rates, significance, counts). */
  values: Record<string, number>;
  attribution: Attribution | null;
  startsAt: number;
  endsAt: number | null;
  /** Last time the condition was evaluated true. */
  lastSeenAt: number;
}

export interface IncidentTimelineEntry {
  at: number;
  kind: 'opened' | 'alert_firing' | 'alert_resolved' | 'evidence' | 'note' | 'resolved' | 'maintenance';
  text: string;
  alertFingerprint?: string;
}

export interface IncidentNote {
  at: number;
  author: string;
  text: string;
}

export interface Incident {
  id: string;
  /** Provider the incident concerns ("local" when attributed to this host's network). */
  providerId: string;
  title: string;
  severity: AlertSeverity;
  state: 'open' | 'resolved';
  openedAt: number;
  resolvedAt: number | null;
  attribution: Attribution | null;
  /** Fingerprints of the alerts that belong to it (open or past). */
  alerts: string[];
  timeline: IncidentTimelineEntry[];
  notes: IncidentNote[];
}

export interface IncidentQuery {
  state?: 'open' | 'resolved';
  providerId?: string;
  /** Incidents open at some point in [from, to). */
  from?: number;
  to?: number;
  limit?: number;
}

/** No alerts for the scope during [startsAt, endsAt); shown on the status page. */
export interface MaintenanceWindow {
  id: string;
  /** Provider id, endpoint id, or "*" for everything. */
  scope: string;
  startsAt: number;
  endsAt: number;
  reason: string;
  createdBy: string;
  createdAt: number;
}

/** Silences alerts matching every given field until endsAt (not shown as maintenance). */
export interface Silence {
  id: string;
  providerId?: string;
  endpointId?: string;
  alertName?: string;
  startsAt: number;
  endsAt: number;
  comment: string;
  createdBy: string;
  createdAt: number;
}

/** State the alert evaluator keeps across restarts (active alerts, for de-duplication and resolve). */
export interface AlertState {
  active: Alert[];
}

// ---------------------------------------------------------------------------------------------
// The interface.

export interface Store {
  /** Human description for logs, e.g. "lowdb store in <dir>". */
  readonly description: string;

  /**
   * Loads what exists (creating an empty store when nothing does). Corrupt or future-version files
   * are moved aside (renamed *.corrupt-<time>) and reported through the returned notices, never
   * overwritten silently.
   */
  open(): Promise<StoreOpenReport>;

  /** Flushes pending writes and releases files; the store is unusable afterwards. */
  close(): Promise<void>;

  /**
   * Merges buckets into the rollups (counters add, sketches merge), in one batch. Called by the
   * aggregator's flush, never per event, so a flush rewrites only the shards these buckets touch.
   */
  mergeBuckets(buckets: readonly Bucket[]): Promise<void>;

  /** Buckets of one level in a time range, optionally restricted to some series. */
  queryBuckets(query: BucketQuery): Promise<Bucket[]>;

  /** Drops buckets older than each level's retention (in ms), relative to now. */
  prune(now: number, retentionMs: Readonly<Record<RollupLevel, number>>): Promise<void>;

  /** Replaces the latest health snapshot (what the status page and API show). */
  putSnapshot(snapshot: HealthSnapshot): Promise<void>;

  /** The latest snapshot, or undefined before the first tick. */
  getSnapshot(): Promise<HealthSnapshot | undefined>;

  /** Provider rows of the latest snapshot (without endpoints or series detail beyond the sparkline). */
  listProviders(): Promise<ProviderSummary[]>;

  /** One provider with endpoints, phases, affected hosts, incidents and maintenance; undefined if unknown. */
  getProvider(id: string): Promise<ProviderDetail | undefined>;

  /** Every endpoint of the latest snapshot. */
  listEndpoints(): Promise<EndpointSummary[]>;

  getEndpoint(id: string): Promise<EndpointSummary | undefined>;

  /**
   * A series over a window, from the coarsest level that still has the step asked for
   * (minute for ≤ 6 h windows, hour for ≤ 35 d, day beyond, unless `level` says otherwise).
   */
  querySeries(query: SeriesQuery): Promise<SeriesPoint[]>;

  /** Incidents, newest first. */
  listIncidents(query?: IncidentQuery): Promise<Incident[]>;

  getIncident(id: string): Promise<Incident | undefined>;

  /** Creates or replaces an incident (the engine opens, updates and resolves them). */
  putIncident(incident: Incident): Promise<void>;

  /** Appends an operator's note to an incident (also to its timeline); undefined if the id is unknown. */
  addIncidentNote(id: string, note: IncidentNote): Promise<Incident | undefined>;

  listMaintenance(): Promise<MaintenanceWindow[]>;

  /** Adds a window (id assigned by the caller) or replaces one with the same id. */
  putMaintenance(window: MaintenanceWindow): Promise<void>;

  /** Returns false when the id is unknown. */
  deleteMaintenance(id: string): Promise<boolean>;

  listSilences(): Promise<Silence[]>;

  putSilence(silence: Silence): Promise<void>;

  deleteSilence(id: string): Promise<boolean>;

  /** Alert evaluator state, so a restart neither re-notifies firing alerts nor forgets to resolve them. */
  getAlertState(): Promise<AlertState>;

  putAlertState(state: AlertState): Promise<void>;
}

/** A series request from the server: which series, which signal, which window. */
export interface SeriesQuery {
  series: SeriesId;
  /** A latency signal, or "success" for counts and failures (DNS + TCP + checks combined). */
  signal: LatencySignal | 'success';
  from: number;
  to: number;
  level?: RollupLevel;
}

export interface StoreOpenReport {
  /** One line per problem met while opening (file moved aside, schema upgraded…). */
  notices: string[];
  /** Files moved aside as corrupt, with their new names. */
  movedAside: string[];
}
