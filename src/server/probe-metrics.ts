// Per-check series named and shaped as Prometheus blackbox_exporter's, so that dashboards and
// alerts written for it work on egresswatch's checks: the latest run of each check, labelled by
// check name, provider and target. One set of series per configured check: bounded by the
// configuration, removed when a reload removes the check.
import { Gauge, type Registry } from 'prom-client';
import type { ProbeResult } from '../events.js';

type Labels = 'check' | 'provider' | 'target';
const LABELS: Labels[] = ['check', 'provider', 'target'];

/** blackbox_exporter's HTTP phases, from the prober's phase timings. */
const HTTP_PHASES = [['dnsMs', 'resolve'], ['connectMs', 'connect'], ['tlsMs', 'tls'], ['firstByteMs', 'processing'], ['transferMs', 'transfer']] as const;

export class ProbeMetrics {
  private readonly gauges: Gauge<string>[] = [];
  private readonly success: Gauge<Labels>;
  private readonly duration: Gauge<Labels>;
  private readonly httpPhase: Gauge<Labels | 'phase'>;
  private readonly httpStatus: Gauge<Labels>;
  private readonly httpVersion: Gauge<Labels>;
  private readonly httpSsl: Gauge<Labels>;
  private readonly certExpiry: Gauge<Labels>;
  private readonly tlsVersion: Gauge<Labels | 'version'>;
  private readonly dnsLookup: Gauge<Labels>;
  private readonly dnsAnswers: Gauge<Labels>;
  private readonly ipProtocol: Gauge<Labels>;
  /** The label values of each check's series, to remove them when the check or its labels change. */
  private readonly seriesOf = new Map<string, { labels: Record<Labels, string>; tlsVersion?: string }>();

  constructor(registry: Registry) {
    const gauge = <L extends string>(name: string, help: string, extra: L[] = []) => {
      const g = new Gauge<Labels | L>({ name, help, labelNames: [...LABELS, ...extra], registers: [registry] });
      this.gauges.push(g as Gauge<string>);
      return g;
    };
    this.success = gauge('probe_success', 'Whether the latest run of the check succeeded (1) or failed (0).');
    this.duration = gauge('probe_duration_seconds', 'How long the latest run of the check took, retries included.');
    this.httpPhase = gauge('probe_http_duration_seconds', 'Duration of each phase of the latest HTTP run: resolve, connect, tls, processing (request written to first byte), transfer.', ['phase']);
    this.httpStatus = gauge('probe_http_status_code', 'HTTP status code of the final response of the latest run (0 when none came).');
    this.httpVersion = gauge('probe_http_version', 'HTTP version of the final response of the latest run (1.1 or 2).');
    this.httpSsl = gauge('probe_http_ssl', 'Whether the final HTTP response of the latest run came over TLS.');
    this.certExpiry = gauge('probe_ssl_earliest_cert_expiry', 'When the first certificate of the chain the server presented expires, in seconds since the epoch.');
    this.tlsVersion = gauge('probe_tls_version_info', 'Always 1; the version label is the TLS version the latest run negotiated.', ['version']);
    this.dnsLookup = gauge('probe_dns_lookup_time_seconds', 'Time to resolve the target (HTTP, TCP and TLS checks), or the whole query (DNS checks), in the latest run.');
    this.dnsAnswers = gauge('probe_dns_answer_rrs', 'Records in the answer section of the latest DNS check run.');
    this.ipProtocol = gauge('probe_ip_protocol', 'IP version of the address the latest run used (4 or 6).');
  }

  /** Records the latest run of a check; `provider` is the label its series carry. */
  observe(result: ProbeResult, provider: string): void {
    const labels: Record<Labels, string> = { check: result.check, provider, target: result.target };
    const prev = this.seriesOf.get(result.check);
    if (prev && (prev.labels.provider !== provider || prev.labels.target !== result.target)) this.forget(result.check);
    const tlsVersion = result.tlsVersion;
    if (prev?.tlsVersion && prev.tlsVersion !== tlsVersion) this.tlsVersion.remove({ ...prev.labels, version: prev.tlsVersion });
    this.seriesOf.set(result.check, { labels, tlsVersion });

    this.success.set(labels, result.ok ? 1 : 0);
    this.duration.set(labels, result.phases.totalMs / 1000);
    if (result.phases.dnsMs !== undefined) this.dnsLookup.set(labels, result.phases.dnsMs / 1000);
    else if (result.probe === 'dns') this.dnsLookup.set(labels, result.phases.totalMs / 1000);
    if (result.ip) this.ipProtocol.set(labels, result.ip.includes(':') ? 6 : 4);
    if (result.certNotAfter !== undefined) this.certExpiry.set(labels, Math.floor(result.certNotAfter / 1000));
    if (tlsVersion) this.tlsVersion.set({ ...labels, version: tlsVersion }, 1);
    if (result.probe === 'http') {
      // blackbox_exporter reports every phase, 0 for one the run did not go through.
      for (const [key, phase] of HTTP_PHASES) this.httpPhase.set({ ...labels, phase }, (result.phases[key] ?? 0) / 1000);
      this.httpStatus.set(labels, result.status ?? 0);
      if (result.httpVersion) this.httpVersion.set(labels, Number(result.httpVersion));
      this.httpSsl.set(labels, result.tlsVersion ? 1 : 0);
    }
    if (result.probe === 'dns' && result.answers !== undefined) this.dnsAnswers.set(labels, result.answers);
  }

  /** A check a reload removed (or whose labels changed): its series leave /metrics. */
  forget(check: string): void {
    const s = this.seriesOf.get(check);
    if (!s) return;
    this.seriesOf.delete(check);
    for (const g of this.gauges) {
      if (g === (this.tlsVersion as Gauge<string>)) continue;
      if (g === (this.httpPhase as Gauge<string>)) {
        for (const [, phase] of HTTP_PHASES) g.remove({ ...s.labels, phase });
        continue;
      }
      g.remove(s.labels);
    }
    if (s.tlsVersion) this.tlsVersion.remove({ ...s.labels, version: s.tlsVersion });
  }
}
