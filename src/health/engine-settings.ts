// The reliability engine's settings (from the `slos:`, `alerts:` and `store:` sections): SLOs,
// burn-rate rules, anomaly detection, attribution, and how long rollups are kept.

export interface SloDefinition {
  name: string;
  kind: 'success' | 'latency';
  /** Fraction, e.g. 0.999. */
  objective: number;
  thresholdMs?: number;
  windowMs: number;
  provider?: string;
  endpoint?: string;
}

/** Availability 99.9 % and latency 99 % under 1 s, over 30 days, for every provider. */
export function defaultSlos(): SloDefinition[] {
  return [
    { name: 'availability', kind: 'success', objective: 0.999, windowMs: 30 * 86_400_000 },
    { name: 'latency', kind: 'latency', objective: 0.99, thresholdMs: 1000, windowMs: 30 * 86_400_000 },
  ];
}

/** One multiwindow burn-rate rule: fires while both windows burn the budget `factor` times too fast. */
export interface BurnRateRule {
  severity: 'page' | 'ticket';
  factor: number;
  longMs: number;
  shortMs: number;
}

/** The SRE workbook's rules: 2 % of a 30-day budget in 1 h or 5 % in 6 h pages, 10 % in 3 days opens a ticket. */
export function defaultBurnRates(): BurnRateRule[] {
  return [
    { severity: 'page', factor: 14.4, longMs: 3_600_000, shortMs: 300_000 },
    { severity: 'page', factor: 6, longMs: 6 * 3_600_000, shortMs: 1_800_000 },
    { severity: 'ticket', factor: 1, longMs: 3 * 86_400_000, shortMs: 6 * 3_600_000 },
  ];
}

/** When conditions become alerts: burn rates, the volume guard, anomalies and attribution. */
export interface AlertRuleSettings {
  minEventsPerHour: number;
  burnRates: BurnRateRule[];
  anomaly: { enabled: boolean; minEvents: number; significance: number; historyDays: number };
  attribution: { localMinProviders: number };
}

export function defaultAlertRuleSettings(): AlertRuleSettings {
  return {
    minEventsPerHour: 60,
    burnRates: defaultBurnRates(),
    anomaly: { enabled: true, minEvents: 50, significance: 4, historyDays: 14 },
    attribution: { localMinProviders: 3 },
  };
}

/** What the engine keeps: rollup retention per level, and breakdown values per provider. */
export interface RollupSettings {
  retentionMs: { minute: number; hour: number; day: number };
  /** Hosts, processes and resolvers kept per provider; the rest fold into "other". */
  breakdownLimit: number;
  /** Endpoints unseen for this long leave the list (their history stays in the store). */
  endpointIdleMs: number;
  /** What the engine keeps in memory at most; beyond, events count towards "other". */
  limits: SeriesLimits;
}

export interface SeriesLimits {
  /** Providers named only after a domain (no catalogue, configuration or cloud range knows them). */
  discoveredProviders: number;
  /** Endpoints of all providers together. */
  endpoints: number;
  endpointsPerProvider: number;
  /**
   * Resident memory the agent aims to stay under: above 80 % of it, it sheds detail (new series
   * count as "other", idle ones are forgotten after minutes rather than an hour) until below 70 %.
   */
  memoryBytes: number;
}

export function defaultSeriesLimits(): SeriesLimits {
  return { discoveredProviders: 100, endpoints: 1000, endpointsPerProvider: 200, memoryBytes: 512 * 1024 * 1024 };
}

export function defaultRollupSettings(): RollupSettings {
  return { retentionMs: { minute: 6 * 3_600_000, hour: 35 * 86_400_000, day: 400 * 86_400_000 }, breakdownLimit: 20, endpointIdleMs: 3_600_000, limits: defaultSeriesLimits() };
}
