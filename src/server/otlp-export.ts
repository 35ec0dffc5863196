// OTLP metrics over HTTP (the OpenTelemetry collector, Grafana Alloy, Datadog, Honeycomb…): every
// /metrics series, with the same names, turned into OpenTelemetry's data model and sent with
// @opentelemetry/exporter-metrics-otlp-http at an interval. Counters become monotonic cumulative
// sums, gauges gauges, histograms explicit-bucket histograms; the host identity is the resource
// (host.name, and k8s.cluster.name and cloud.availability_zone when set), not a data point label.
import type { MetricObjectWithValues, MetricValue } from 'prom-client';
import type { HostIdentity } from '../identity.js';
import { PushSchedule } from './push-schedule.js';
import type { PushSettings } from './push-settings.js';


export interface OtlpStats {
  exports: number;
  failures: number;
}

type PromMetric = MetricObjectWithValues<MetricValue<string>>;
type HrTime = [number, number];

const IDENTITY_LABELS = new Set(['host', 'cluster', 'zone']);

function hrTime(ms: number): HrTime {
  return [Math.floor(ms / 1000), Math.round((ms % 1000) * 1e6)];
}

function attributesOf(labels: Record<string, string | number | undefined>, skip?: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) if (v !== undefined && !IDENTITY_LABELS.has(k) && k !== skip) out[k] = String(v);
  return out;
}

/**
 * prom-client's metrics as OpenTelemetry MetricData (sdk-metrics' export types, built here with
 * plain objects: the enums' numeric values are stable parts of the data model).
 */
export function metricDataOf(metrics: readonly PromMetric[], startMs: number, nowMs: number): unknown[] {
  const SUM = 3, GAUGE = 2, HISTOGRAM = 0, CUMULATIVE = 1, DOUBLE = 1;
  const startTime = hrTime(startMs);
  const endTime = hrTime(nowMs);
  const out: unknown[] = [];
  for (const m of metrics) {
    // prom-client's typings say an enum; the JSON carries its text ("counter", "gauge", "histogram").
    const type = m.type as unknown as string;
    const descriptor = { name: m.name, description: m.help, unit: m.name.endsWith('_seconds') ? 's' : m.name.endsWith('_bytes') ? 'By' : '', valueType: DOUBLE };
    if (type === 'counter' || type === 'gauge') {
      const dataPoints = m.values.map((v) => ({ startTime, endTime, attributes: attributesOf(v.labels), value: v.value }));
      out.push(type === 'counter'
        ? { descriptor, aggregationTemporality: CUMULATIVE, dataPointType: SUM, isMonotonic: true, dataPoints }
        : { descriptor, aggregationTemporality: CUMULATIVE, dataPointType: GAUGE, dataPoints });
    } else if (type === 'histogram') {
      // prom-client gives cumulative _bucket samples by le, then _sum and _count, per label set.
      const series = new Map<string, { attributes: Record<string, string>; bounds: Array<[number, number]>; sum: number; count: number }>();
      for (const v of m.values) {
        const metricName = (v as { metricName?: string }).metricName ?? '';
        const attributes = attributesOf(v.labels, 'le');
        const key = JSON.stringify(attributes);
        let s = series.get(key);
        if (!s) series.set(key, (s = { attributes, bounds: [], sum: 0, count: 0 }));
        if (metricName.endsWith('_bucket')) s.bounds.push([v.labels.le === '+Inf' ? Infinity : Number(v.labels.le), v.value]);
        else if (metricName.endsWith('_sum')) s.sum = v.value;
        else if (metricName.endsWith('_count')) s.count = v.value;
      }
      const dataPoints = [...series.values()].map((s) => {
        const sorted = s.bounds.sort((a, b) => a[0] - b[0]);
        const boundaries = sorted.filter(([le]) => le !== Infinity).map(([le]) => le);
        // Cumulative counts by le to counts per bucket, the last one above every boundary.
        const counts = boundaries.map((_, i) => sorted[i][1] - (i ? sorted[i - 1][1] : 0));
        counts.push(s.count - (boundaries.length ? sorted[boundaries.length - 1][1] : 0));
        return { startTime, endTime, attributes: s.attributes, value: { buckets: { boundaries, counts }, sum: s.sum, count: s.count } };
      });
      out.push({ descriptor, aggregationTemporality: CUMULATIVE, dataPointType: HISTOGRAM, dataPoints });
    }
  }
  return out;
}

export interface OtlpExporterOptions {
  /** url: the OTLP/HTTP metrics endpoint, e.g. http://collector:4318/v1/metrics. */
  settings: PushSettings;
  identity: HostIdentity;
  version: string;
  collect: () => Promise<PromMetric[]>;
  log: (line: string, level: 'warn' | 'info') => void;
}

export class OtlpMetricsExport {
  readonly stats: OtlpStats = { exports: 0, failures: 0 };
  private readonly startMs = Date.now();
  private readonly schedule: PushSchedule;
  private exporter: { export(metrics: unknown, done: (r: { code: number; error?: Error }) => void): void; shutdown(): Promise<void> } | undefined;
  private resourceOf: ((attributes: Record<string, string>) => unknown) | undefined;

  constructor(private readonly options: OtlpExporterOptions) {
    this.schedule = new PushSchedule({
      intervalMs: options.settings.intervalMs, push: () => this.exportOnce(), name: `otlp: export to ${options.settings.url}`, log: options.log,
      stats: { ok: () => this.stats.exports++, failed: () => this.stats.failures++ },
    });
  }

  async start(): Promise<void> {
    // Loaded only when configured: the OpenTelemetry packages are not small.
    const [{ OTLPMetricExporter }, { resourceFromAttributes }] = await Promise.all([import('@opentelemetry/exporter-metrics-otlp-http'), import('@opentelemetry/resources')]);
    const { url, headers, timeoutMs } = this.options.settings;
    this.exporter = new OTLPMetricExporter({ url, headers, timeoutMillis: timeoutMs }) as unknown as OtlpMetricsExport['exporter'];
    this.resourceOf = resourceFromAttributes;
    this.schedule.start();
  }

  /** Stops the schedule after one last export. */
  async stop(): Promise<void> {
    if (!this.exporter) return;
    await this.schedule.stop();
    await this.exporter.shutdown().catch(() => undefined);
  }

  private async exportOnce(): Promise<void> {
    const exporter = this.exporter!;
    const metrics = metricDataOf(await this.options.collect(), this.startMs, Date.now());
    // Built at each export: the zone and cluster may be learnt from cloud metadata after start.
    const id = this.options.identity;
    const resource = this.resourceOf!({
      'service.name': 'egresswatch', 'service.version': this.options.version, 'host.name': id.host,
      ...(id.cluster ? { 'k8s.cluster.name': id.cluster } : {}), ...(id.zone ? { 'cloud.availability_zone': id.zone } : {}),
    });
    const batch = { resource, scopeMetrics: [{ scope: { name: 'egresswatch', version: this.options.version }, metrics }] };
    const result = await new Promise<{ code: number; error?: Error }>((resolve) => exporter.export(batch, resolve));
    if (result.code !== 0) throw result.error ?? new Error('the receiver did not take the export');
  }
}
