// After a restart, the SLO windows are rebuilt from the store's history, which may hold far more
// providers than the engine keeps (a month of domains a crawler contacted). The busiest within the
// limits are loaded; the rest stay on disk, counted in the log.
import type { SeriesLimits } from '../engine-settings.js';
import { inScope, parseSeriesKey, type Bucket } from './bucket.js';

/** Room for providers from the catalogue, configuration and cloud ranges besides discovered ones. */
const NAMED_PROVIDERS_ROOM = 200;

export interface HistoryChoice {
  keep(key: string): boolean;
  /** Providers and endpoints left on disk. */
  skippedProviders: number;
  skippedEndpoints: number;
}

function calls(b: Bucket): number {
  const c = b.counters;
  return (c.tcpAttempts ?? 0) + (c.probeTotal ?? 0) + (c.dnsTotal ?? 0);
}

/** The busiest providers and endpoints of `buckets` within `limits`. */
export function chooseHistory(buckets: readonly Bucket[], limits: Omit<SeriesLimits, 'memoryBytes'>): HistoryChoice {
  const providerCalls = new Map<string, number>();
  const endpointCalls = new Map<string, number>();
  for (const b of buckets) {
    if (inScope(b.key, 'provider')) providerCalls.set(b.key, (providerCalls.get(b.key) ?? 0) + calls(b));
    else if (inScope(b.key, 'endpoint')) endpointCalls.set(b.key, (endpointCalls.get(b.key) ?? 0) + calls(b));
  }
  const busiest = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k]) => k);
  const providers = new Set(busiest(providerCalls, limits.discoveredProviders + NAMED_PROVIDERS_ROOM).map((k) => parseSeriesKey(k).provider));
  const endpoints = new Set(busiest(new Map([...endpointCalls].filter(([k]) => providers.has(parseSeriesKey(k).provider))), limits.endpoints));
  return {
    keep: (key) => (inScope(key, 'endpoint') ? endpoints.has(key) : providers.has(parseSeriesKey(key).provider)),
    skippedProviders: providerCalls.size - providers.size,
    skippedEndpoints: endpointCalls.size - endpoints.size,
  };
}
