// /metrics in the Prometheus exposition format, every series labelled with the host identity:
// counters and histograms of calls and DNS lookups fed as they are labelled (TrafficMetrics),
// blackbox_exporter-shaped probe_* series per check (ProbeMetrics), check counters fed as results
// arrive, and state gauges (provider state, score, error budget, findings, incidents) read from
// the store and the DNS snapshot at scrape time. Provider and resolver label values are bounded
// by LabelBudget (top N, the rest "other").
import { readdirSync, readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Counter, Gauge, Registry, type MetricObjectWithValues, type MetricValue } from 'prom-client';
import type { ProbeResult } from '../events.js';
import type { LabeledSink } from '../external/labeled-event.js';
import { identityLabels, type HostIdentity } from '../identity.js';
import type { HealthState, ProviderSummary } from '../health/snapshot/health-snapshot.js';
import type { Incident } from '../health/alerts/incident.js';
import type { RefusedConnections } from './connection-limits.js';
import { LabelBudget, OTHER_LABEL } from './label-budget.js';
import { ProbeMetrics } from './probe-metrics.js';
import type { ServerSources } from './status-sources.js';
import { TrafficMetrics } from './traffic-metrics.js';

export interface MetricsOptions {
  sources: ServerSources;
  version: string;
  /** Labels every series carries (host, and cluster and zone when set). */
  identity: HostIdentity;
  /** Providers and resolvers with their own series; the rest share "other" (default 50). */
  topN?: number;
  /** Process metrics (CPU, memory, event loop lag) of the agent itself (default true). */
  processMetrics?: boolean;
}

const STATE_RANK: Record<HealthState, number> = { operational: 0, degraded: 1, partial_outage: 2, major_outage: 3 };

/** What one scrape reads, once, before the collectors run. */
interface ScrapeData {
  providers: Map<string, ProviderSummary[]>;
  openIncidents: Incident[];
}

export class MetricsExporter {
  /** Series that change with every check result and every scrape (counters, process figures). */
  readonly registry = new Registry();
  /** Series read from the snapshot: their text is kept until the snapshot, DNS or incidents change. */
  private readonly viewRegistry = new Registry();
  private viewText: { snapshot: object; dns: object | undefined; key: string; text: string } | undefined;
  private readonly providerLabels: LabelBudget;
  private readonly checkRuns: Counter<'provider' | 'type' | 'result'>;
  private readonly probes: ProbeMetrics;
  /** Receives every labelled event and lookup (beside the engine): the call and DNS counters. */
  readonly traffic: LabeledSink;
  private data: ScrapeData = { providers: new Map(), openIncidents: [] };

  constructor(private readonly options: MetricsOptions) {
    const topN = options.topN ?? 50;
    this.providerLabels = new LabelBudget(topN);
    // A fleet's series never collide: every one names the host it comes from.
    const identity = identityLabels(options.identity);
    this.registry.setDefaultLabels(identity);
    this.viewRegistry.setDefaultLabels(identity);
    const r = [this.registry];
    new Gauge({ name: 'egresswatch_build_info', help: 'Always 1; the version label says which egresswatch runs.', labelNames: ['version'], registers: r }).set({ version: options.version }, 1);
    this.checkRuns = new Counter({ name: 'egresswatch_check_runs_total', help: 'Blackbox check runs (after retries) by provider, check type and result (success, failure, or agent_fault: the agent could not make the run).', labelNames: ['provider', 'type', 'result'], registers: r });
    this.probes = new ProbeMetrics(identity);
    this.traffic = new TrafficMetrics(this.registry, topN);
    this.registerScrapeMetrics();
    if (options.processMetrics ?? true) this.registerProcessMetrics();
  }

  /** A new host identity (zone and cluster learnt from cloud metadata once it loads): every series carries it from now on. */
  setIdentity(id: HostIdentity): void {
    const identity = identityLabels(id);
    this.registry.setDefaultLabels(identity);
    this.viewRegistry.setDefaultLabels(identity);
    this.probes.setDefaultLabels(identity);
  }

  /** Records one check run as it arrives; `labelled` is the provider its label names, when the check's configuration does not. */
  observeProbe(result: ProbeResult, labelled?: string): void {
    const provider = this.providerLabels.label(result.provider ?? labelled ?? 'unlabelled');
    // A run the agent could not make (out of descriptors or memory) is no verdict on the provider.
    const outcome = result.ok ? 'success' : result.error?.kind === 'agent' ? 'agent_fault' : 'failure';
    this.checkRuns.inc({ provider, type: result.probe, result: outcome });
    this.probes.observe(result, provider);
  }

  /** Exports the status server's refused connections (over the total or the per-client cap). */
  watchConnections(refused: RefusedConnections): void {
    new Counter({
      name: 'egresswatch_http_connections_refused_total', help: 'Connections to the status server closed at once because a connection limit was reached.', labelNames: ['limit'], registers: [this.registry],
      collect() {
        this.reset();
        this.inc({ limit: 'total' }, refused.overTotal);
        this.inc({ limit: 'per_client' }, refused.overPerClient);
      },
    });
  }

  /** Counters read from elsewhere at each scrape (pushes made and failed by remote write or OTLP). */
  watchCounters(counters: Array<[name: string, help: string, read: () => number]>): void {
    for (const [name, help, read] of counters) new Counter({ name, help, registers: [this.registry], collect() { this.reset(); this.inc(read()); } });
  }

  /** Every series, as prom-client's JSON (for remote write): the same content as render(). */
  async collect(): Promise<MetricObjectWithValues<MetricValue<string>>[]> {
    await this.viewSeries(); // refreshes what the scrape-time collectors read
    return [...(await this.registry.getMetricsAsJSON()), ...this.probes.json(), ...(await this.viewRegistry.getMetricsAsJSON())];
  }

  /** Checks a reload removed: their probe_* series leave /metrics. */
  forgetChecks(names: readonly string[]): void {
    for (const check of names) this.probes.forget(check);
  }

  /** The exposition text. */
  async render(): Promise<string> {
    const viewText = await this.viewSeries();
    return (await this.registry.metrics()) + this.probes.render() + viewText;
  }

  /** The text of the series read from the snapshot, rebuilt (with the data its collectors read) only when it changed. */
  private async viewSeries(): Promise<string> {
    const { store, dns } = this.options.sources;
    const [snapshot, providers, openIncidents] = await Promise.all([store.getSnapshot(), store.listProviders(), store.listIncidents({ state: 'open' })]);
    const dnsSnapshot = dns();
    // The snapshot's time guards against a store that updates one snapshot object in place.
    const key = `${snapshot?.at}|${openIncidents.map((i) => `${i.id}:${i.severity}`).join(',')}`;
    const v = this.viewText;
    let viewText: string;
    if (snapshot && v && v.snapshot === snapshot && v.dns === dnsSnapshot && v.key === key) viewText = v.text;
    else {
      this.data = { providers: this.groupProviders(providers), openIncidents };
      viewText = await this.viewRegistry.metrics();
      this.viewText = snapshot ? { snapshot, dns: dnsSnapshot, key, text: viewText } : undefined;
    }
    return viewText;
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private registerScrapeMetrics(): void {
    const r = [this.viewRegistry];
    const data = () => this.data;
    const sources = this.options.sources;

    // One number per provider rather than one series per state: alert on `>= 2`.
    new Gauge({
      name: 'egresswatch_provider_state', help: 'Provider state: 0 operational, 1 degraded, 2 partial outage, 3 major outage. Providers beyond the top N share provider="other" with the worst state among them.',
      labelNames: ['provider'], registers: r,
      collect() {
        this.reset();
        for (const [label, group] of data().providers) this.set({ provider: label }, Math.max(...group.map((p) => STATE_RANK[p.state])));
      },
    });
    const perProvider = (name: string, help: string, value: (g: ProviderSummary[]) => number | null) => new Gauge({
      name, help, labelNames: ['provider'], registers: r,
      collect() {
        this.reset();
        for (const [label, group] of data().providers) {
          const v = value(group);
          if (v !== null) this.set({ provider: label }, v);
        }
      },
    });
    const seen = (g: ProviderSummary[]) => g.filter((p) => p.lastSeen !== null);
    perProvider('egresswatch_provider_reliability_score', 'Reliability score from 0 to 100 ("other": the lowest).', (g) => minOf(seen(g).map((p) => p.score.score)));
    perProvider('egresswatch_provider_error_budget_remaining_ratio', 'Share of the error budget left over the SLO window, 1 = untouched, 0 = spent ("other": the lowest).', (g) => minOf(g.map((p) => p.errorBudgetRemaining)));
    perProvider('egresswatch_provider_uptime_90d_ratio', 'Share of successful calls over the last 90 days ("other": the lowest).', (g) => {
      const v = minOf(g.map((p) => p.uptime90dPct));
      return v === null ? null : v / 100;
    });
    perProvider('egresswatch_provider_open_incidents', 'Incidents open for the provider.', (g) => sum(g.map((p) => p.openIncidents)));

    new Gauge({
      name: 'egresswatch_dns_findings', help: 'Current DNS findings by kind and severity.', labelNames: ['kind', 'severity'], registers: r,
      collect() {
        this.reset();
        for (const f of sources.dns()?.findings ?? []) this.inc({ kind: f.kind, severity: f.severity });
      },
    });
    new Gauge({
      name: 'egresswatch_incidents_open', help: 'Incidents open now, by severity.', labelNames: ['severity'], registers: r,
      collect() {
        this.reset();
        for (const s of ['page', 'ticket', 'info']) this.set({ severity: s }, 0);
        for (const i of data().openIncidents) this.inc({ severity: i.severity });
      },
    });
    new Gauge({
      name: 'egresswatch_capture_live', help: '1 when live capture runs; 0 when it is unavailable (passive signals are then not monitored).', registers: [this.registry],
      collect() {
        this.set(sources.monitoring().capture.state === 'live' ? 1 : 0);
      },
    });
    new Counter({
      name: 'egresswatch_capture_lost_records_total', help: 'Capture records lost before user space (kernel ring buffer or delivery queue full), by reason.', labelNames: ['reason'], registers: [this.registry],
      collect() {
        this.reset();
        for (const [reason, n] of Object.entries(sources.monitoring().captureLost ?? {})) this.inc({ reason }, n);
      },
    });
    new Gauge({
      name: 'egresswatch_memory_shedding', help: '1 while the agent sheds detail because its memory is above 80 % of its limit (new series count as "other").', registers: [this.registry],
      collect() {
        this.set(sources.monitoring().limits?.shedding ? 1 : 0);
      },
    });
    new Counter({
      name: 'egresswatch_events_folded_total', help: 'Events counted towards "other" because a limit on providers or endpoints was reached.', registers: [this.registry],
      collect() {
        this.reset();
        this.inc(sources.monitoring().limits?.foldedEvents ?? 0);
      },
    });
  }

  /**
   * The standard process_* series, from Node's own counters: prom-client's default collectors read
   * several /proc files per scrape, which cost more than every other series here together.
   */
  private registerProcessMetrics(): void {
    const r = [this.registry];
    const startSeconds = Math.round(performance.timeOrigin / 1000);
    new Counter({
      name: 'process_cpu_seconds_total', help: 'Total user and system CPU time spent in seconds.', registers: r,
      collect() {
        const u = process.cpuUsage();
        this.reset();
        this.inc((u.user + u.system) / 1e6);
      },
    });
    // Descriptors run out before memory does under a connection flood: worth a graph of their own.
    new Gauge({ name: 'process_open_fds', help: 'Number of open file descriptors.', registers: r, collect() { this.set(readdirSync('/proc/self/fd').length - 1); } });
    const maxFds = /Max open files\s+(\d+)/.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1];
    if (maxFds) new Gauge({ name: 'process_max_fds', help: 'Maximum number of open file descriptors.', registers: r }).set(Number(maxFds));
    new Gauge({ name: 'process_resident_memory_bytes', help: 'Resident memory size in bytes.', registers: r, collect() { this.set(process.memoryUsage.rss()); } });
    new Gauge({ name: 'process_start_time_seconds', help: 'Start time of the process since the Unix epoch in seconds.', registers: r }).set(startSeconds);
    new Gauge({ name: 'nodejs_heap_used_bytes', help: 'V8 heap in use, in bytes.', registers: r, collect() { this.set(process.memoryUsage().heapUsed); } });
    // How late timers fire: what a request to the page waits behind. Since the previous scrape, as
    // prom-client's own collector reports it (the histogram restarts at each scrape).
    // The histogram times a 10 ms timer: the delay is what it measures beyond those 10 ms.
    const RESOLUTION_MS = 10;
    const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    delay.enable();
    const beyond = (ns: number) => (delay.count > 0 ? Math.max(0, ns / 1e9 - RESOLUTION_MS / 1000) : 0);
    const lag = (name: string, help: string, read: () => number) => new Gauge({ name, help, registers: r, collect() { this.set(beyond(read())); } });
    lag('nodejs_eventloop_lag_p50_seconds', 'The 50th percentile of event loop delay since the previous scrape.', () => delay.percentile(50));
    lag('nodejs_eventloop_lag_p99_seconds', 'The 99th percentile of event loop delay since the previous scrape.', () => delay.percentile(99));
    new Gauge({
      name: 'nodejs_eventloop_lag_max_seconds', help: 'The longest event loop delay since the previous scrape.', registers: r,
      collect() {
        this.set(beyond(delay.max));
        delay.reset();
      },
    });
  }

  private groupProviders(providers: ProviderSummary[]): Map<string, ProviderSummary[]> {
    const ranked = [...providers].sort((a, b) => b.total - a.total || (a.id < b.id ? -1 : 1));
    return groupBy(ranked, this.providerLabels.assign(ranked.map((p) => p.id)), (p) => p.id);
  }

}

function groupBy<T>(items: T[], labels: Map<string, string>, key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const label = labels.get(key(item)) ?? OTHER_LABEL;
    const list = out.get(label);
    if (list) list.push(item);
    else out.set(label, [item]);
  }
  return out;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
function minOf(xs: (number | null)[]): number | null {
  let out: number | null = null;
  for (const x of xs) if (x !== null && (out === null || x < out)) out = x;
  return out;
}
