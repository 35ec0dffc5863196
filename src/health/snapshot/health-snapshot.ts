// The health snapshot: what the engine computes at each tick and the status page, the API and
// /metrics show (providers, endpoints, SLOs, scores, uptime). Times are ms since the epoch.
import type { Incident } from '../alerts/incident.js';
import type { MaintenanceWindow } from '../alerts/suppression.js';

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
  /** Fraction of the error budget left over the window: 1 = untouched, 0 = spent (never below). */
  budgetRemaining: number | null;
  /** How much of the budget the window's failures used: 0.25 = a quarter, 1 = all of it, 3 = three times over. */
  budgetSpent: number | null;
  /** Burn rate per alert window, keyed by window label ("5m", "30m", "1h", "6h", "3d"). */
  burnRates: Record<string, number | null>;
  /** Events counted in the SLO window. */
  total: number;
  /** The signals behind `total`: connects and check runs (success SLOs), or timed calls (latency SLOs). DNS lookups are never among them. */
  signals: { connects: number; checkRuns: number } | { timedCalls: number };
}

/** Which hosts, processes and resolvers are affected (bounded lists, worst first). */
export interface AffectedBreakdown {
  hosts: BreakdownEntry[];
  processes: BreakdownEntry[];
  resolvers: BreakdownEntry[];
  /** The fleet view: the hosts' calls summed by their zone and by their cluster. */
  zones?: BreakdownEntry[];
  clusters?: BreakdownEntry[];
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
  /** dns, tcp, tls or http (the phase), and what is measured: responseTime (ms), certificateExpiry (days). */
  component: string;
  measurement: 'responseTime' | 'certificateExpiry';
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
  /** Per-component health, keyed "component:measurement" ("http:responseTime", "tls:certificateExpiry"). */
  checks: Record<string, ComponentHealth>;
  /** Days until the certificate a check saw expires (negative once expired); null when none was seen. */
  certExpiryDays: number | null;
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
  /** Largest budgetSpent among the provider's SLOs; above 1 the budget is exhausted that many times over. */
  errorBudgetSpent: number | null;
  /** DNS lookups of the provider's names over the last 5 minutes: its DNS signal, not counted as calls. */
  lookups: { total: number; failed: number };
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
