// Counters and histograms of the calls this host makes, fed with the labelled events and lookups
// as they leave the labelling stage (the same stream the reliability engine reads), so that
// Prometheus can take rate() over them: calls and failures by provider, service, kind and error;
// TCP resets and retransmits; connect latency; DNS lookups by resolver and result, and their
// latency. Providers and resolvers beyond the top N share "other", services beyond a few per
// provider likewise: admission is sticky, so no counter ever moves between series.
import { Counter, Histogram, type Registry } from 'prom-client';
import { lookupFailed } from '../dns/lookup-outcome.js';
import type { LabeledEvent, LabeledLookup, LabeledSink } from '../external/labeled-event.js';
import { LabelBudget, OTHER_LABEL } from './label-budget.js';

/** Services with their own series per provider. */
const SERVICES_PER_PROVIDER = 10;
/**
 * Latency buckets, seconds: a cache or same-zone answer, a regional one, a distant one, and the
 * latency SLO's default threshold (1 s). Few, because every provider multiplies them.
 */
const LATENCY_BUCKETS = [0.001, 0.005, 0.025, 0.1, 0.25, 1, 2.5];
/** Events without a provider count as the engine counts them. */
const UNKNOWN = 'unknown';

type CallLabels = 'provider' | 'service' | 'kind';

export class TrafficMetrics implements LabeledSink {
  private readonly providers: LabelBudget;
  private readonly resolvers: LabelBudget;
  private readonly services = new Map<string, LabelBudget>();
  private readonly calls: Counter<CallLabels>;
  private readonly failures: Counter<CallLabels | 'error'>;
  private readonly resets: Counter<'provider'>;
  private readonly retransmits: Counter<'provider'>;
  private readonly connectDuration: Histogram<'provider'>;
  private readonly lookups: Counter<'resolver' | 'result'>;
  private readonly lookupRetransmissions: Counter<'resolver'>;
  private readonly lookupDuration: Histogram<'resolver'>;

  constructor(registry: Registry, topN: number) {
    this.providers = new LabelBudget(topN);
    this.resolvers = new LabelBudget(topN);
    const registers = [registry];
    this.calls = new Counter({ name: 'egresswatch_calls_total', help: 'Calls to providers by provider, service and kind: connect (an outbound TCP connection attempt), check (a blackbox check run) or dns (a lookup of a name the provider owns).', labelNames: ['provider', 'service', 'kind'], registers });
    this.failures = new Counter({ name: 'egresswatch_call_failures_total', help: 'Failed calls by provider, service, kind and error: the TCP failure reason, the check error kind, or the DNS timeout or rcode.', labelNames: ['provider', 'service', 'kind', 'error'], registers });
    this.resets = new Counter({ name: 'egresswatch_tcp_resets_total', help: 'Established outbound connections reset, by provider.', labelNames: ['provider'], registers });
    this.retransmits = new Counter({ name: 'egresswatch_tcp_retransmits_total', help: 'TCP retransmissions on outbound connections, by provider.', labelNames: ['provider'], registers });
    this.connectDuration = new Histogram({ name: 'egresswatch_connect_duration_seconds', help: 'Outbound TCP handshake time (SYN to established), by provider.', labelNames: ['provider'], buckets: LATENCY_BUCKETS, registers });
    this.lookups = new Counter({ name: 'egresswatch_dns_lookups_total', help: 'Finished DNS lookups by resolver and result: the rcode (noerror, nxdomain, servfail…), timeout or unreachable.', labelNames: ['resolver', 'result'], registers });
    this.lookupRetransmissions = new Counter({ name: 'egresswatch_dns_retransmissions_total', help: 'Queries re-sent by clients before an answer came, by resolver.', labelNames: ['resolver'], registers });
    this.lookupDuration = new Histogram({ name: 'egresswatch_dns_lookup_duration_seconds', help: 'Time from the query to its answer, by resolver (answered lookups).', labelNames: ['resolver'], buckets: LATENCY_BUCKETS, registers });
  }

  ingestEvents(events: readonly LabeledEvent[]): void {
    for (const { event, label } of events) {
      const provider = this.providers.label(label.provider || UNKNOWN);
      const service = this.service(provider, label.service);
      if (event.type === 'probe') {
        this.calls.inc({ provider, service, kind: 'check' });
        if (!event.ok) this.failures.inc({ provider, service, kind: 'check', error: event.error?.kind ?? 'failed' });
        continue;
      }
      switch (event.event) {
        case 'established':
          this.calls.inc({ provider, service, kind: 'connect' });
          if (event.latencyMs !== undefined) this.connectDuration.observe({ provider }, event.latencyMs / 1000);
          break;
        case 'failed':
          this.calls.inc({ provider, service, kind: 'connect' });
          this.failures.inc({ provider, service, kind: 'connect', error: event.reason ?? 'other' });
          break;
        case 'reset':
          this.resets.inc({ provider });
          break;
        case 'retransmit':
          this.retransmits.inc({ provider });
          break;
      }
    }
  }

  ingestLookups(lookups: readonly LabeledLookup[]): void {
    for (const { tx, provider: owner } of lookups) {
      if (tx.outcome === 'pending') continue;
      const provider = this.providers.label(owner || UNKNOWN);
      const service = this.service(provider, undefined);
      const result = tx.outcome === 'answered' ? (tx.rcode ?? 'unknown').toLowerCase() : tx.outcome;
      this.calls.inc({ provider, service, kind: 'dns' });
      if (lookupFailed(tx)) this.failures.inc({ provider, service, kind: 'dns', error: result });
      const resolver = this.resolvers.label(tx.server);
      this.lookups.inc({ resolver, result });
      if (tx.retransmissions) this.lookupRetransmissions.inc({ resolver }, tx.retransmissions);
      if (tx.outcome === 'answered' && tx.latencyMs !== undefined) this.lookupDuration.observe({ resolver }, tx.latencyMs / 1000);
    }
  }

  private service(provider: string, service: string | undefined): string {
    if (!service) return '';
    if (provider === OTHER_LABEL) return OTHER_LABEL;
    let budget = this.services.get(provider);
    if (!budget) this.services.set(provider, (budget = new LabelBudget(SERVICES_PER_PROVIDER)));
    return budget.label(service);
  }
}
