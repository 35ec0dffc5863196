// Per-check series named and shaped as Prometheus blackbox_exporter's, so that dashboards and
// alerts written for it work on egresswatch's checks: the latest run of each check, labelled by
// check name, provider and target. One set of series per configured check: bounded by the
// configuration, removed when a reload removes the check.
//
// Written here rather than through prom-client: with hundreds of checks these are thousands of
// series, and each scrape would rebuild all of them; here each check's lines are rebuilt only when
// its run arrives, and a scrape joins them.
import type { MetricObjectWithValues, MetricValue } from 'prom-client';
import type { ProbeResult } from '../events.js';

interface Family {
  name: string;
  help: string;
}

const F = {
  success: { name: 'probe_success', help: 'Whether the latest run of the check succeeded (1) or failed (0).' },
  duration: { name: 'probe_duration_seconds', help: 'How long the latest run of the check took, retries included.' },
  httpPhase: { name: 'probe_http_duration_seconds', help: 'Duration of each phase of the latest HTTP run: resolve, connect, tls, processing (request written to first byte), transfer.' },
  httpStatus: { name: 'probe_http_status_code', help: 'HTTP status code of the final response of the latest run (0 when none came).' },
  httpVersion: { name: 'probe_http_version', help: 'HTTP version of the final response of the latest run (1.1 or 2).' },
  httpSsl: { name: 'probe_http_ssl', help: 'Whether the final HTTP response of the latest run came over TLS.' },
  certExpiry: { name: 'probe_ssl_earliest_cert_expiry', help: 'When the first certificate of the chain the server presented expires, in seconds since the epoch.' },
  tlsVersion: { name: 'probe_tls_version_info', help: 'Always 1; the version label is the TLS version the latest run negotiated.' },
  dnsLookup: { name: 'probe_dns_lookup_time_seconds', help: 'Time to resolve the target (HTTP, TCP and TLS checks), or the whole query (DNS checks), in the latest run.' },
  dnsAnswers: { name: 'probe_dns_answer_rrs', help: 'Records in the answer section of the latest DNS check run.' },
  ipProtocol: { name: 'probe_ip_protocol', help: 'IP version of the address the latest run used (4 or 6).' },
} satisfies Record<string, Family>;
const FAMILIES: Family[] = Object.values(F);

/** blackbox_exporter's HTTP phases, from the prober's phase timings. */
const HTTP_PHASES = [['dnsMs', 'resolve'], ['connectMs', 'connect'], ['tlsMs', 'tls'], ['firstByteMs', 'processing'], ['transferMs', 'transfer']] as const;

interface Sample {
  family: Family;
  labels: Record<string, string>;
  value: number;
}

/** A label value in the exposition format. */
function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function formatValue(v: number): string {
  return Number.isNaN(v) ? 'NaN' : v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : String(v);
}

export class ProbeMetrics {
  /** Each check's samples of its latest run, and their exposition lines by family. */
  private readonly checks = new Map<string, { samples: Sample[]; lines: Map<Family, string[]> }>();
  private text: string | undefined;

  /** `defaultLabels`: the host identity, after each series' own labels (as prom-client places them). */
  constructor(private defaultLabels: Record<string, string>) {}

  /** A new host identity (zone and cluster learnt from cloud metadata): every check's lines again. */
  setDefaultLabels(labels: Record<string, string>): void {
    this.defaultLabels = labels;
    for (const c of this.checks.values()) c.lines = this.linesOf(c.samples);
    this.text = undefined;
  }

  /** Records the latest run of a check; `provider` is the label its series carry. */
  observe(result: ProbeResult, provider: string): void {
    const base = { check: result.check, provider, target: result.target };
    const samples: Sample[] = [];
    const add = (family: Family, value: number, extra: Record<string, string> = {}) => samples.push({ family, labels: { ...base, ...extra }, value });
    add(F.success, result.ok ? 1 : 0);
    add(F.duration, result.phases.totalMs / 1000);
    if (result.phases.dnsMs !== undefined) add(F.dnsLookup, result.phases.dnsMs / 1000);
    else if (result.probe === 'dns') add(F.dnsLookup, result.phases.totalMs / 1000);
    if (result.ip) add(F.ipProtocol, result.ip.includes(':') ? 6 : 4);
    if (result.certNotAfter !== undefined) add(F.certExpiry, Math.floor(result.certNotAfter / 1000));
    if (result.tlsVersion) add(F.tlsVersion, 1, { version: result.tlsVersion });
    if (result.probe === 'http') {
      // blackbox_exporter reports every phase, 0 for one the run did not go through.
      for (const [key, phase] of HTTP_PHASES) add(F.httpPhase, (result.phases[key] ?? 0) / 1000, { phase });
      add(F.httpStatus, result.status ?? 0);
      if (result.httpVersion) add(F.httpVersion, Number(result.httpVersion));
      add(F.httpSsl, result.tlsVersion ? 1 : 0);
    }
    if (result.probe === 'dns' && result.answers !== undefined) add(F.dnsAnswers, result.answers);
    this.checks.set(result.check, { samples, lines: this.linesOf(samples) });
    this.text = undefined;
  }

  /** Exposition lines by family; the identity labels follow each series' own. */
  private linesOf(samples: Sample[]): Map<Family, string[]> {
    const lines = new Map<Family, string[]>();
    for (const s of samples) {
      const labels = Object.entries({ ...s.labels, ...this.defaultLabels }).map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',');
      const list = lines.get(s.family) ?? [];
      list.push(`${s.family.name}{${labels}} ${formatValue(s.value)}`);
      lines.set(s.family, list);
    }
    return lines;
  }

  /** A check a reload removed: its series leave /metrics. */
  forget(check: string): void {
    if (this.checks.delete(check)) this.text = undefined;
  }

  /** The exposition text of every check's series, families together, rebuilt only after a change. */
  render(): string {
    if (this.text !== undefined) return this.text;
    const out: string[] = [];
    for (const family of FAMILIES) {
      const lines: string[] = [];
      for (const c of this.checks.values()) {
        const l = c.lines.get(family);
        if (l) for (const line of l) lines.push(line);
      }
      if (lines.length === 0) continue;
      out.push(`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} gauge`, ...lines);
    }
    this.text = out.length ? `${out.join('\n')}\n` : '';
    return this.text;
  }

  /** The same series as prom-client's JSON (for remote write and OTLP). */
  json(): MetricObjectWithValues<MetricValue<string>>[] {
    const out: MetricObjectWithValues<MetricValue<string>>[] = [];
    for (const family of FAMILIES) {
      const values = [...this.checks.values()].flatMap((c) => c.samples.filter((s) => s.family === family).map((s) => ({ labels: { ...s.labels, ...this.defaultLabels }, value: s.value })));
      // The shape getMetricsAsJSON() gives (its type also names a collect() that JSON never carries).
      if (values.length) out.push({ name: family.name, help: family.help, type: 'gauge', aggregator: 'sum', values } as unknown as MetricObjectWithValues<MetricValue<string>>);
    }
    return out;
  }
}
