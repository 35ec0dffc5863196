// What the health engine accepts besides the labelling stage's events and lookups: DNS findings as
// alert inputs, and where a batch was observed.

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
