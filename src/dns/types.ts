// The types of DNS analysis shared with its consumers (the run command, store, server, alerts).
import type { SketchData } from '../sketch/latency-sketch.js';
import type { ResolverHistorySeries, ResolverMinute } from './resolver-history.js';

export type { ResolverHistorySeries, ResolverMinute };

/** Why the attempt before a retry failed (or, for 'answered', that its reply never reached the client). */
export type RetryCause = 'timeout' | 'servfail' | 'refused' | 'truncated' | 'answered';

/** One DNS query and its fate, matched by client, server, id and question. */
export interface DnsTransaction {
  /** When the query was first sent, ms since the epoch. */
  ts: number;
  client: string;
  clientPort: number;
  server: string;
  serverPort: number;
  proto: 'udp' | 'tcp';
  id: number;
  qname: string;
  qtype: string;
  /** answered: a response matched; timeout: none within the timeout; pending: input ended first. */
  /** unreachable: refused at once by an ICMP destination-unreachable error. */
  outcome: 'answered' | 'timeout' | 'unreachable' | 'pending';
  rcode?: string;
  answers?: number;
  /** The response had the TC bit: the client should retry over TCP. */
  truncated?: boolean;
  /** From the first send to the response. */
  latencyMs?: number;
  /** Re-sends of this very query (same socket, id and question) before it was answered. */
  retransmissions: number;
  /** Earlier attempts of the same question by the same client that led to this one. */
  retries: number;
  /** Why the previous attempt failed, when this one is a retry. */
  retryOf?: RetryCause;
  /** A TCP retry of a truncated UDP answer. */
  tcpAfterTruncation?: boolean;
  /** The client waited at least its resolver timeout for this question. */
  stalled: boolean;
  /** Sent together with the other address family's query from the same socket (glibc's A+AAAA). */
  parallel: boolean;
  pid?: number;
  comm?: string;
}

export type DnsResolverRole = 'cluster-dns' | 'node-local' | 'upstream' | 'other';

/** Health of one resolver (server address) over the analysis horizon. */
export interface ResolverHealth {
  server: string;
  role: DnsResolverRole;
  queries: number;
  queriesPerSecond: number;
  answered: number;
  timeouts: number;
  /** Queries refused at once by ICMP destination-unreachable errors (nothing listens on the port, no route). */
  unreachable: number;
  /** Queries still waiting when the snapshot was taken. */
  pending: number;
  retransmissions: number;
  retries: number;
  stalled: number;
  /** NOERROR, NXDOMAIN, SERVFAIL, REFUSED, and others by name. */
  rcodes: Record<string, number>;
  latencyMs: { p50: number | null; p90: number | null; p99: number | null; max: number | null };
  /** The latency sketch itself, mergeable across windows and hosts. */
  latencySketch: SketchData;
  clients: number;
}

export type FindingKind =
  | 'resolver_down'
  | 'upstream_failure'
  | 'resolver_overload'
  | 'conntrack_race'
  | 'ndots_amplification'
  | 'nxdomain_spike'
  | 'servfail_spike'
  | 'resolver_refused'
  | 'random_subdomain_flood';

export type FindingSeverity = 'info' | 'warning' | 'critical';

/** A diagnosis with its evidence. Names and clients come from the network: escape when shown. */
export interface DnsFinding {
  kind: FindingKind;
  severity: FindingSeverity;
  /** The resolver concerned, when one is. */
  resolver: string | null;
  /** Registrable domain concerned (upstream_failure, spikes), when one is. */
  zone: string | null;
  /** An example name concerned, when one is. */
  name: string | null;
  /** How many queries (or stalls, or wasted lookups) are the evidence. */
  count: number;
  /** Client addresses involved (bounded list). */
  clients: string[];
  /** Processes involved, "comm[pid]" or "comm" (bounded list). */
  processes: string[];
  /** First and last evidence, ISO-8601 and ms. */
  firstSeen: string;
  lastSeen: string;
  firstSeenMs: number;
  lastSeenMs: number;
  summary: string;
  /** Kind-specific figures (rates, baselines, wasted queries per lookup…). */
  evidence: Record<string, unknown>;
  /** What to do about it, when there is a known remedy. */
  mitigations?: string[];
}

/** Bounded table row: per zone at a resolver, or per name and process. "other" sums the tail. */
export interface DnsZoneStats {
  zone: string;
  resolver: string;
  queries: number;
  answered: number;
  timeouts: number;
  rcodes: Record<string, number>;
}

export interface DnsNameStats {
  name: string;
  /** Process name (comm), or "-" when the source does not know processes (replay). */
  process: string;
  queries: number;
  failures: number;
  timeouts: number;
  meanLatencyMs: number | null;
}

export interface NdotsProcessStats {
  process: string;
  /** Lookups that tried at least one search suffix before the real name. */
  amplifiedLookups: number;
  wastedQueries: number;
  wastedPerLookup: number;
  /** Mean time from the first wasted query to the real query. */
  addedLatencyMs: number;
}

/** What the analyzer knows now; findings are computed over the analysis horizon. */
export interface DnsSnapshot {
  /** Completed transactions (answered + timed out) since the start. */
  transactions: number;
  answered: number;
  timeouts: number;
  pending: number;
  malformed: Record<string, number>;
  /** Responses that matched no query (the query was before capture started, or spoofed). */
  unmatchedResponses: number;
  firstEventMs: number | null;
  lastEventMs: number | null;
  resolvers: ResolverHealth[];
  findings: DnsFinding[];
  zones: DnsZoneStats[];
  names: DnsNameStats[];
  ndots: NdotsProcessStats[];
  /** The most recent transactions that failed or stalled (bounded). */
  recentProblems: DnsTransaction[];
  /** Per-minute figures of the busiest resolvers over the last day (the DNS page's charts). */
  history: ResolverHistorySeries[];
}

/** Settings of the analysis (the `dns` configuration section plus what the host tells). */
export interface DnsAnalyzerOptions {
  /** A query without a response this long is a timeout (default 5000). */
  timeoutMs: number;
  /** The stub resolver's own retry timeout (resolv.conf `options timeout:`), for the 5 s stall signature. */
  clientTimeoutMs: number;
  /** Search domains of the stub resolver, for ndots amplification (empty: infer from the wire). */
  searchDomains: string[];
  /** Nameservers from resolv.conf and configured Kubernetes DNS service addresses. */
  clusterDns: string[];
  /** Node-local DNS cache addresses. */
  nodeLocal: string[];
  /** Rows kept per bounded table (zones, names); the rest is summed into "other". */
  topN: number;
  /** Health window length: rates, baselines for spikes, load vs latency. */
  windowMs: number;
  /** How far back findings look; Infinity for a report over a whole capture. */
  horizonMs: number;
  /** Minimum queries before a finding is raised. */
  minQueries: number;
}
