// The events every source emits and every later stage consumes: the only interface between them.
//
// Live eBPF capture (src/bpf/), pcap replay (src/capture/) and the blackbox checks (src/blackbox/)
// all produce these objects; nothing downstream can tell which source made an event. Times are
// milliseconds since the Unix epoch (fractional, microsecond resolution); addresses are textual
// IPv4 or IPv6 (no brackets, no zone); ports are numbers.

/** The process behind a packet or connection, when the source knows it (live capture only). */
export interface ProcessRef {
  /** Thread-group id: the process, not the thread that happened to run the syscall. */
  pid?: number;
  /**
   * The process's name (the thread-group leader's comm, at most 15 bytes in Linux); live capture
   * appends " · " and the pod ("namespace/name", else "pod <uid>") or container ("container <id>")
   * it runs in.
   */
  comm?: string;
  /** cgroup v2 id, as a decimal string because it is a 64-bit value. */
  cgroupId?: string;
}

/** A flow's endpoints as seen on the wire: src is the sender of this packet. */
export interface FlowTuple {
  src: string;
  sport: number;
  dst: string;
  dport: number;
}

/**
 * One DNS message seen on the wire (UDP datagram, or one reassembled TCP message without its
 * two-byte length prefix). The payload is raw; src/dns/ parses it so that parsing and its error
 * accounting live in one place for every source.
 */
export interface DnsPacket extends FlowTuple, ProcessRef {
  type: 'dns';
  ts: number;
  /** From the QR bit of the header: query (0) or response (1). */
  dir: 'query' | 'response';
  proto: 'udp' | 'tcp';
  payload: Uint8Array;
  /** Interface the packet was seen on, when known. */
  ifindex?: number;
}

/**
 * An ICMP destination-unreachable error quoting a DNS query sent over UDP: the resolver's host
 * (port unreachable: nothing listens on its DNS port) or the path to it refused the query at
 * once. src/sport is the client's socket and dst/dport the resolver, as in the query.
 */
export interface DnsUnreachable extends FlowTuple, ProcessRef {
  type: 'dns_unreachable';
  ts: number;
  proto: 'udp';
  /** port: nothing listens there; host, network: no way to it; prohibited: a filter said no. */
  reason: 'port' | 'host' | 'network' | 'prohibited';
  ifindex?: number;
}

export type TcpEventKind = 'connect' | 'established' | 'failed' | 'reset' | 'retransmit' | 'close';
export type TcpFailReason = 'refused' | 'timeout' | 'unreachable' | 'reset' | 'other';

/** One step in the life of an outbound TCP connection; src/sport is the local side. */
export interface TcpEvent extends FlowTuple, ProcessRef {
  type: 'tcp';
  ts: number;
  event: TcpEventKind;
  /** established: time from SYN sent to the handshake completing. */
  latencyMs?: number;
  /** failed: why the connect did not complete. */
  reason?: TcpFailReason;
  /** failed: the socket error number when known (e.g. 111 ECONNREFUSED, 110 ETIMEDOUT). */
  errno?: number;
  /** retransmit: true when the retransmitted segment is a SYN (connect retry). */
  syn?: boolean;
}

/** A packet the kernel dropped on this host (skb:kfree_skb), restricted to DNS traffic. */
export interface DropEvent extends FlowTuple, ProcessRef {
  type: 'drop';
  ts: number;
  /** Kernel drop reason name without the SKB_DROP_REASON_ prefix, e.g. "NETFILTER_DROP". */
  reason: string;
  proto: 'udp' | 'tcp';
}

/** Cumulative conntrack counters of /proc/net/stat/nf_conntrack, summed over CPUs. */
export interface ConntrackSample {
  type: 'conntrack';
  ts: number;
  found: number;
  invalid: number;
  insert: number;
  insertFailed: number;
  drop: number;
  earlyDrop: number;
  searchRestart: number;
  clashResolve: number;
}

export type CaptureEvent = DnsPacket | DnsUnreachable | TcpEvent | DropEvent | ConntrackSample;

/** Receives events in batches: sources never call back once per event. */
/**
 * Receives each batch. A file source waits for a returned promise before reading on (the
 * consumer's back-pressure); live capture cannot pause the kernel and does not wait.
 */
export type EventBatchHandler = (events: readonly CaptureEvent[]) => void | Promise<void>;

/** What a source reports when it stops: nothing is lost silently. */
export interface CaptureSummary {
  type: 'summary';
  /** Events emitted, by event type. */
  events: Record<string, number>;
  /** Input units (packets, records) the source could not decode, by reason. */
  malformed: Record<string, number>;
  /** Records lost before reaching user space (ring buffer full, queue full), by where. */
  lost: Record<string, number>;
  /** Source-specific counters (packets read, bytes, non-DNS packets skipped…). */
  counters: Record<string, number>;
  /** One-line notes on input problems a count cannot say, e.g. where a capture file was cut off. */
  notes?: string[];
}

/** A source of capture events: live eBPF or a replayed file. */
export interface CaptureSource {
  /** Human name for messages, e.g. "live eBPF" or "pcap file x.pcap". */
  readonly description: string;
  /**
   * Delivers events to the handler until the input ends or the signal aborts, then resolves with
   * the summary. Rejects only for faults that stop the source from starting (missing privileges,
   * unreadable file), with an error whose message is one line.
   */
  run(handler: EventBatchHandler, signal?: AbortSignal): Promise<CaptureSummary>;
}

export function emptySummary(): CaptureSummary {
  return { type: 'summary', events: {}, malformed: {}, lost: {}, counters: {} };
}

/** Adds n to a counter in one of the summary's maps. */
export function bump(counts: Record<string, number>, key: string, n = 1): void {
  counts[key] = (counts[key] ?? 0) + n;
}

/** Adds each count of `add` to `counts`. */
export function addCounts(counts: Record<string, number>, add: Readonly<Record<string, number>>): void {
  for (const [k, v] of Object.entries(add)) bump(counts, k, v);
}

/** The kinds of blackbox check (src/blackbox/probers/). */
export type ProbeType = 'http' | 'dns' | 'tcp' | 'tls';

/**
 * Why a probe failed, stable for branching and for grouping in reports:
 * dns (name did not resolve), connect_refused, connect_timeout, connect (other connect failure:
 * unreachable, reset), tls (handshake, chain or hostname), cert_expiry (certificate within the
 * fail threshold or expired), proxy (the proxy refused the tunnel), http_status (unexpected
 * status), assertion (body, header, answer or latency expectation not met), dns_rcode (a DNS
 * check got an rcode it did not accept), protocol (malformed reply), timeout (no complete reply
 * within the check's timeout), internal (a fault in the prober itself).
 */
export type ProbeErrorKind =
  | 'dns'
  | 'connect_refused'
  | 'connect_timeout'
  | 'connect'
  | 'tls'
  | 'cert_expiry'
  | 'proxy'
  | 'http_status'
  | 'assertion'
  | 'dns_rcode'
  | 'protocol'
  | 'timeout'
  | 'internal'
  /** The agent itself could not make the probe (out of file descriptors or memory): no verdict on the target. */
  | 'agent';

/**
 * Failure kinds that a fault of this host, its network, resolver, proxy or NAT could explain. The
 * other kinds are the provider's own answers (a status, a certificate, a refused port, a reply
 * that fails an assertion) and are never blamed on the local network.
 */
export const NETWORK_FAILURE_KINDS: ReadonlySet<ProbeErrorKind> = new Set<ProbeErrorKind>(['dns', 'connect_timeout', 'connect', 'proxy', 'timeout', 'internal']);

/**
 * Milliseconds spent in each phase of one probe (as blackbox_exporter's
 * probe_http_duration_seconds{phase}). A phase the probe did not go through is absent (no TLS
 * for plain HTTP, no DNS for an IP literal is 0); over redirects the phases are summed.
 * dnsMs + connectMs + tlsMs + firstByteMs + transferMs ≈ totalMs, the rest being scheduling noise.
 */
export interface ProbePhases {
  /** Name resolution (system resolver or the check's own resolver). */
  dnsMs?: number;
  /** TCP handshake (through a proxy: to the proxy plus the CONNECT tunnel); for plain HTTP also the client's set-up until the request is written. */
  connectMs?: number;
  /** TLS handshake; for HTTPS also the client's set-up until the request is written. */
  tlsMs?: number;
  /** From the request being written (for DNS: the query sent) to the first byte of the reply. */
  firstByteMs?: number;
  /** From the first byte of the reply to its last. */
  transferMs?: number;
  /** The whole probe, including every phase and redirect. */
  totalMs: number;
}

/**
 * The result of one blackbox check run (after retries): the active side's evidence about an
 * endpoint, next to what passive capture sees. Emitted by src/blackbox/, stored and scored later.
 */
export interface ProbeResult {
  type: 'probe';
  /** The check's name from the configuration. */
  check: string;
  /** Which prober ran it. */
  probe: ProbeType;
  /** What was probed: URL (http), host:port (tcp, tls), "name TYPE @resolver" (dns). */
  target: string;
  ok: boolean;
  /** When the (last) attempt started, ms since the epoch. */
  ts: number;
  phases: ProbePhases;
  /** HTTP status code of the final response. */
  status?: number;
  /** HTTP version of the final response: "1.1" or "2". */
  httpVersion?: string;
  /** Address connected to (http, tcp, tls) or the resolver's address (dns). */
  ip?: string;
  /** True when ip differs from the previous run of the same check (absent on the first run). */
  ipChanged?: boolean;
  /** Negotiated TLS version, e.g. "TLSv1.3". */
  tlsVersion?: string;
  /** Whole days until the leaf certificate expires (negative once expired). */
  certExpiryDays?: number;
  /** When the first certificate of the presented chain expires, ms since the epoch. */
  certNotAfter?: number;
  /** DNS checks: the response code (e.g. "NOERROR", "NXDOMAIN") and answer count. */
  rcode?: string;
  answers?: number;
  /** Attempts made (1 + retries used). */
  attempts: number;
  /** Endpoint labels: from the check's configuration (the labelling stage adds those of the address). */
  provider?: string;
  service?: string;
  /** Non-fatal notices, e.g. the certificate is within its warning threshold. */
  warnings?: string[];
  /** Present when ok is false. */
  error?: { kind: ProbeErrorKind; message: string };
}

/**
 * Everything a later stage (store, scoring) may receive: capture events and probe results.
 * ProbeResult stays out of CaptureEvent because capture consumers decode packets, not checks.
 */
export type MonitorEvent = CaptureEvent | ProbeResult;
