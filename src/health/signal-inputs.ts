// What the health engine accepts besides MonitorEvent: DNS outcomes, labels, findings and the source host.
//
// These are narrow structural shapes so the DNS analysis (src/dns/) and labelling (src/external/)
// can hand their own richer objects over without this stage importing their modules.

/** One finished DNS transaction (query matched with its answer, or timed out). */
export interface DnsOutcome {
  ts: number;
  /** Queried name, lower case, without the trailing dot. */
  name: string;
  /** Resolver address the query went to. */
  resolver: string;
  /** False for SERVFAIL, REFUSED, timeouts and malformed answers; NXDOMAIN is an answer, so true. */
  ok: boolean;
  rcode?: string;
  latencyMs?: number;
  pid?: number;
  comm?: string;
}

/** The labelling stage's answer for an address or name (src/external/ Label, structurally). */
export interface EndpointLabel {
  provider?: string | null;
  service?: string | null;
  region?: string | null;
  hostname?: string | null;
  confidence?: number | string | null;
}

/** Looks up labels; both functions are called once per new address or name, results are cached. */
export interface EndpointLabeller {
  labelIp(ip: string): EndpointLabel | undefined;
  /** Provider of a DNS name (from the catalogue's name patterns); undefined when unknown. */
  labelName?(name: string): EndpointLabel | undefined;
}

/** Where a batch of events was observed: this host unless a fleet forwards other hosts' events. */
export interface EventOrigin {
  host?: string;
  /** Availability zone or site of that host, for zone attribution. */
  zone?: string;
}

/** A DNS analysis finding (resolver down, upstream failure, conntrack race, ndots…), as an alert input. */
export interface DnsFindingInput {
  /** Stable kind, e.g. "resolver_down", "upstream_failure", "conntrack_race", "ndots_amplification". */
  kind: string;
  severity: 'page' | 'ticket' | 'info';
  /** The resolver concerned, when any. */
  resolver?: string;
  /** The registrable domain concerned (upstream failure, spikes), when any. */
  zone?: string;
  summary: string;
  /** Lines of evidence shown in the incident timeline. */
  evidence?: string[];
  /** Suggested fix. */
  fix?: string;
}
