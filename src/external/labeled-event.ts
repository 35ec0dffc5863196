// What the labelling stage hands every later stage: events about endpoints and DNS lookups, each
// with its label, and the one rule that names an endpoint.
import type { DnsTransaction } from '../dns/types.js';
import type { ProbeResult, TcpEvent } from '../events.js';
import type { EndpointLabel } from './endpoint-label.js';

/**
 * An event about one endpoint with the endpoint's label: an outbound connection's outcome
 * (established, failed, reset, retransmit) or a check run.
 */
export interface LabeledEvent {
  event: TcpEvent | ProbeResult;
  label: EndpointLabel;
}

/** A finished DNS lookup (answered or timed out), with the provider that owns the name when known. */
export interface LabeledLookup {
  tx: DnsTransaction;
  provider: string | undefined;
}

/** Where labelled events and lookups go (the reliability engine). */
export interface LabeledSink {
  ingestEvents(events: readonly LabeledEvent[]): void;
  ingestLookups(lookups: readonly LabeledLookup[]): void;
}

/**
 * How an endpoint is named on the page and in its id: a check by its name ("check:stripe-api"),
 * a connection's remote by the name the host resolved (else the address) and the port
 * ("api.stripe.com:443", "[2001:db8::1]:443").
 */
export function endpointName(e: LabeledEvent): string {
  const ev = e.event;
  if (ev.type === 'probe') return `check:${ev.check}`;
  const host = e.label.hostname || ev.dst;
  return ev.dst.includes(':') && host === ev.dst ? `[${host}]:${ev.dport}` : `${host}:${ev.dport}`;
}
