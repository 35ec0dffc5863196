// Pushes every series of /metrics to a Prometheus remote-write endpoint (Prometheus with
// --web.enable-remote-write-receiver, Mimir, Cortex, Thanos Receive, VictoriaMetrics), for hosts
// that cannot be scraped. Each push carries the current value of every series, so a failed push
// loses one point in time and nothing else: counters keep counting, and rate() spans the gap.
// The wire format is remote write 1.0: a snappy-compressed protobuf WriteRequest.
import { compress } from 'snappyjs';
import type { MetricObjectWithValues, MetricValue } from 'prom-client';
import { PushSchedule } from './push-schedule.js';

import type { PushSettings } from './push-settings.js';

export interface RemoteWriteStats {
  pushes: number;
  failures: number;
  samples: number;
}

/** One sample of one series: its labels (with __name__) sorted by name, as remote write requires. */
export interface WriteSample {
  labels: Array<[string, string]>;
  value: number;
  timestampMs: number;
}

/** The samples of prom-client's metrics at one instant. */
export function samplesOf(metrics: ReadonlyArray<MetricObjectWithValues<MetricValue<string>>>, timestampMs: number): WriteSample[] {
  const out: WriteSample[] = [];
  for (const m of metrics) {
    for (const v of m.values) {
      const name = (v as { metricName?: string }).metricName ?? m.name;
      const labels: Array<[string, string]> = [['__name__', name]];
      for (const [k, value] of Object.entries(v.labels)) if (value !== undefined) labels.push([k, String(value)]);
      labels.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      out.push({ labels, value: v.value, timestampMs });
    }
  }
  return out;
}

/** Protobuf of prometheus.WriteRequest { repeated TimeSeries timeseries = 1; }. */
export function encodeWriteRequest(samples: readonly WriteSample[]): Uint8Array {
  const w = new ProtoWriter();
  for (const s of samples) {
    const series = new ProtoWriter();
    for (const [name, value] of s.labels) {
      const label = new ProtoWriter();
      label.string(1, name);
      label.string(2, value);
      series.bytes(1, label.finish());
    }
    const sample = new ProtoWriter();
    sample.double(1, s.value);
    sample.varint(2, s.timestampMs);
    series.bytes(2, sample.finish());
    w.bytes(1, series.finish());
  }
  return w.finish();
}

/** The few protobuf encodings a WriteRequest needs. */
class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];
  private size = 0;

  string(field: number, value: string): void {
    this.bytes(field, Buffer.from(value, 'utf8'));
  }

  bytes(field: number, value: Uint8Array): void {
    this.rawVarint(field * 8 + 2);
    this.rawVarint(value.length);
    this.push(value);
  }

  double(field: number, value: number): void {
    this.rawVarint(field * 8 + 1);
    const b = Buffer.alloc(8);
    b.writeDoubleLE(value);
    this.push(b);
  }

  /** A non-negative integer up to 2^53 (timestamps in ms). */
  varint(field: number, value: number): void {
    this.rawVarint(field * 8);
    this.rawVarint(value);
  }

  finish(): Uint8Array {
    return Buffer.concat(this.chunks, this.size);
  }

  private rawVarint(value: number): void {
    const bytes: number[] = [];
    let v = value;
    while (v >= 0x80) {
      bytes.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    bytes.push(v);
    this.push(Uint8Array.from(bytes));
  }

  private push(b: Uint8Array): void {
    this.chunks.push(b);
    this.size += b.length;
  }
}

export interface RemoteWriterOptions {
  settings: PushSettings;
  /** Every series of /metrics, as prom-client's JSON. */
  collect: () => Promise<ReadonlyArray<MetricObjectWithValues<MetricValue<string>>>>;
  /** One line when pushing starts failing, one when it works again. */
  log: (line: string, level: 'warn' | 'info') => void;
}

/**
 * Credentials written into the URL (https://user:pass@host/…) become a basic Authorization header:
 * fetch refuses such URLs, and the URL without them is what logs may show.
 */
function withoutCredentials(url: string, headers: Record<string, string>): { url: string; headers: Record<string, string> } {
  const u = new URL(url);
  if (!u.username && !u.password) return { url, headers };
  const basic = Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64');
  u.username = '';
  u.password = '';
  return { url: u.toString(), headers: { authorization: `Basic ${basic}`, ...headers } };
}

export class RemoteWriter {
  readonly stats: RemoteWriteStats = { pushes: 0, failures: 0, samples: 0 };
  private readonly target: { url: string; headers: Record<string, string> };
  private readonly schedule: PushSchedule;

  constructor(private readonly options: RemoteWriterOptions) {
    this.target = withoutCredentials(options.settings.url, options.settings.headers);
    this.schedule = new PushSchedule({
      intervalMs: options.settings.intervalMs, push: () => this.push(), name: `remote write: push to ${this.target.url}`, log: options.log,
      stats: { ok: () => this.stats.pushes++, failed: () => this.stats.failures++ },
    });
  }

  start(): void {
    this.schedule.start();
  }

  stop(): Promise<void> {
    return this.schedule.stop();
  }

  private async push(): Promise<void> {
    const samples = samplesOf(await this.options.collect(), Date.now());
    const res = await fetch(this.target.url, {
      method: 'POST',
      headers: { ...this.target.headers, 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', 'x-prometheus-remote-write-version': '0.1.0', 'user-agent': 'egresswatch' },
      body: compress(encodeWriteRequest(samples)),
      signal: AbortSignal.timeout(this.options.settings.timeoutMs),
    });
    if (!res.ok) {
      const text = (await res.text()).slice(0, 200).trim();
      throw new Error(`HTTP ${res.status}${text ? `: ${text}` : ''}`);
    }
    this.stats.samples += samples.length;
  }
}
