// The rollup format the health stage produces: pre-aggregated buckets of series (providers,
// endpoints and bounded breakdowns), their levels and keys. The store persists them as they are.
import type { SketchData } from '../../sketch/latency-sketch.js';

/** Rollup granularity of a bucket. */
export type RollupLevel = 'minute' | 'hour' | 'day';

export const ROLLUP_LEVELS: readonly RollupLevel[] = ['minute', 'hour', 'day'];

/** Bucket width of each level, in ms. */
export const LEVEL_MS: Readonly<Record<RollupLevel, number>> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

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
  /**
   * Failed check runs that a local fault could explain (timeouts, resets, unreachable, DNS
   * resolution, a proxy); the other failed runs are the provider's own answers (HTTP status,
   * assertion, TLS, refused).
   */
  probeNetworkFailed?: number;
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

/** The key of a series: "provider|aws", "endpoint|aws|aws|api.example.com:443", "host|aws|web-1"… */
export function seriesKey(scope: SeriesScope, provider: string, value?: string): string {
  return value === undefined ? `${scope}|${provider}` : `${scope}|${provider}|${value}`;
}

/** What every key of a scope starts with ("provider|"), for prefix queries and scope tests. */
export const SCOPE_PREFIX: Readonly<Record<SeriesScope, string>> = {
  provider: 'provider|', endpoint: 'endpoint|', host: 'host|', process: 'process|', resolver: 'resolver|',
};

export function inScope(key: string, scope: SeriesScope): boolean {
  return key.startsWith(SCOPE_PREFIX[scope]);
}

export function parseSeriesKey(key: string): SeriesId {
  const first = key.indexOf('|');
  const second = key.indexOf('|', first + 1);
  const scope = key.slice(0, first) as SeriesScope;
  if (second < 0) return { scope, provider: key.slice(first + 1) };
  return { scope, provider: key.slice(first + 1, second), value: key.slice(second + 1) };
}
