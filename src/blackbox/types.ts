// Blackbox domain types: the validated check definitions and the one prober function type.
import type { ProbeResult, ProbeType } from '../events.js';

/** host:port with the host unbracketed (IPv6 literals stay plain). */
export interface HostPort {
  host: string;
  port: number;
}

/** How a check is scheduled: exactly one of a cron expression or a fixed interval. */
export type CheckSchedule = { cron: string } | { intervalMs: number };

/** TLS client settings shared by http and tls checks. */
export interface TlsClientSettings {
  /** PEM text of extra trust anchors (read from caFile at load time); undefined = system CAs. */
  ca?: string;
  caFile?: string;
  /** Accept any certificate: the handshake is still timed and reported. */
  insecureSkipVerify: boolean;
  /** SNI and the name the certificate must match; defaults to the target host. */
  serverName?: string;
}

export interface CheckBase {
  name: string;
  type: ProbeType;
  schedule: CheckSchedule;
  timeoutMs: number;
  /** Extra attempts after a failure before the run counts as failed. */
  retries: number;
  /** Wait before the first retry; doubled for each later one. */
  retryBackoffMs: number;
  /** Labels from the configuration: they win over those of the address the probe reached. */
  provider?: string;
  service?: string;
  /** Fail when the probe took longer (ms). */
  maxMs?: number;
  /** Failed runs in a row that page (as Gatus' failure-threshold). */
  failureThreshold: number;
  /** Passing runs in a row that end the failure. */
  successThreshold: number;
}

export interface JsonPathExpectation {
  /** Dotted path with [n] indexes, e.g. "status.components[0].state". */
  path: string;
  equals: string | number | boolean | null;
}

export interface HeaderExpectation {
  name: string;
  equals?: string;
  matches?: RegExp;
  /** true: must be present; false: must be absent. */
  present?: boolean;
}

export interface HttpExpectations {
  /** Accepted status codes; default 200–299. */
  status: number[];
  bodyContains: string[];
  bodyNotContains: string[];
  bodyMatches: RegExp[];
  json: JsonPathExpectation[];
  headers: HeaderExpectation[];
  /** "1.1" or "2". */
  httpVersion?: string;
}

export interface HttpCheck extends CheckBase {
  type: 'http';
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
  followRedirects: boolean;
  maxRedirects: number;
  /** Offer HTTP/2 through ALPN. */
  http2: boolean;
  tls: TlsClientSettings;
  /** http://host:port of a proxy that accepts CONNECT. */
  proxy?: string;
  /** Resolve the URL's host by asking this DNS server instead of the system resolver. */
  resolver?: HostPort;
  /** Maximum response body kept for assertions (bytes); the rest is read and discarded. */
  maxBodyBytes: number;
  expect: HttpExpectations;
}

export type DnsTransport = 'udp' | 'tcp';

export interface DnsCheck extends CheckBase {
  type: 'dns';
  resolver: HostPort;
  transport: DnsTransport;
  query: { name: string; type: string };
  recursionDesired: boolean;
  expect: {
    /** Accepted rcodes; default NOERROR. */
    rcodes: string[];
    /** Each must equal the data of some answer record (addresses, names, joined TXT). */
    answers: string[];
    minAnswers?: number;
  };
}

export interface TcpCheck extends CheckBase {
  type: 'tcp';
  target: HostPort;
  /** Sent once connected. */
  send?: string;
  /** The reply must contain this text / match this pattern before the timeout. */
  expectContains?: string;
  expectMatches?: RegExp;
}

export interface TlsCheck extends CheckBase {
  type: 'tls';
  target: HostPort;
  tls: TlsClientSettings;
  /** Warn (result stays ok) when the leaf certificate expires within this many days. */
  warnDays: number;
  /** Fail when it expires within this many days. */
  failDays: number;
  /** Lowest acceptable protocol version, e.g. "TLSv1.2". */
  minVersion?: string;
}

export type Check = HttpCheck | DnsCheck | TcpCheck | TlsCheck;

/**
 * The one shape every prober implements (src/blackbox/probers/*.ts). A prober runs one attempt,
 * stops when the signal aborts, and resolves with a result: expected failures are results with
 * an error kind, never rejections. Labels, retries and ipChanged are added by the caller.
 */
export type Prober<C extends Check = Check> = (check: C, signal: AbortSignal) => Promise<ProbeResult>;
