// The providers and endpoints the engine evaluates: those with history in the store from before
// this run (their details come back as traffic does) and those the aggregator has seen since.
import type { EndpointInfo, EventAggregator, Forgotten } from './aggregator.js';
import { parseSeriesKey } from './bucket.js';

export class KnownSeries {
  private readonly storedProviders = new Set<string>();
  private readonly storedEndpoints = new Map<string, EndpointInfo>();

  constructor(private readonly aggregator: EventAggregator) {}

  /** Remembers the provider or endpoint of a bucket read from the store, seen until the bucket's end. */
  remember(key: string, seenUntil: number): void {
    const id = parseSeriesKey(key);
    if (id.scope === 'provider') this.storedProviders.add(id.provider);
    else if (id.scope === 'endpoint' && id.value !== undefined) {
      const have = this.storedEndpoints.get(key);
      if (have) {
        have.lastSeen = Math.max(have.lastSeen, seenUntil);
        return;
      }
      const name = id.value.startsWith(`${id.provider}|`) ? id.value.slice(id.provider.length + 1) : id.value;
      this.storedEndpoints.set(key, { id: id.value, providerId: id.provider, name, service: null, region: null, probeType: null, lastSeen: seenUntil });
    }
  }

  /** Forgets what forgetIdle() dropped from the aggregator, and stored endpoints unseen since `since`; returns the latter's keys. */
  forget(forgotten: Forgotten, since: number): string[] {
    const providers = new Set(forgotten.providers);
    for (const p of providers) this.storedProviders.delete(p);
    const gone: string[] = [];
    for (const [key, info] of this.storedEndpoints) {
      if (info.lastSeen >= since && !providers.has(info.providerId)) continue;
      this.storedEndpoints.delete(key);
      gone.push(key);
    }
    return gone;
  }

  /** Every provider id, sorted. */
  providers(): string[] {
    return [...new Set([...this.storedProviders, ...this.aggregator.providers])].sort();
  }

  /**
   * Every endpoint seen since `since`, by series key; what the aggregator knows wins over what
   * the store said. Older ones leave the list (an ephemeral port, a retired host); their history
   * stays in the store.
   */
  endpoints(since: number): Map<string, EndpointInfo> {
    const out = new Map<string, EndpointInfo>();
    for (const [k, v] of this.storedEndpoints) if (v.lastSeen >= since) out.set(k, v);
    for (const [k, v] of this.aggregator.endpoints()) {
      if (v.lastSeen >= since && v.renamedTo === undefined) out.set(k, v);
      else out.delete(k);
    }
    return out;
  }
}
