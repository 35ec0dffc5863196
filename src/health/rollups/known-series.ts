// The providers and endpoints the engine evaluates: those with history in the store from before
// this run (their details come back as traffic does) and those the aggregator has seen since.
import type { EndpointInfo, EventAggregator } from './aggregator.js';
import { parseSeriesKey } from './bucket.js';

export class KnownSeries {
  private readonly storedProviders = new Set<string>();
  private readonly storedEndpoints = new Map<string, EndpointInfo>();

  constructor(private readonly aggregator: EventAggregator) {}

  /** Remembers the provider or endpoint of a series key read from the store. */
  remember(key: string): void {
    const id = parseSeriesKey(key);
    if (id.scope === 'provider') this.storedProviders.add(id.provider);
    else if (id.scope === 'endpoint' && id.value !== undefined && !this.storedEndpoints.has(key)) {
      const name = id.value.startsWith(`${id.provider}|`) ? id.value.slice(id.provider.length + 1) : id.value;
      this.storedEndpoints.set(key, { id: id.value, providerId: id.provider, name, service: null, region: null, probeType: null, lastSeen: 0 });
    }
  }

  /** Every provider id, sorted. */
  providers(): string[] {
    return [...new Set([...this.storedProviders, ...this.aggregator.providers])].sort();
  }

  /** Every endpoint by series key; what the aggregator knows wins over what the store said. */
  endpoints(): Map<string, EndpointInfo> {
    const out = new Map(this.storedEndpoints);
    for (const [k, v] of this.aggregator.endpoints()) out.set(k, v);
    return out;
  }
}
