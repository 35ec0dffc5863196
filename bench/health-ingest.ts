// Benchmark: events per second into the aggregator on one core (TCP events over 500 endpoints with
// latency sketches and host/process breakdowns, plus probe results). Peer in the same run: the
// same events recorded as prom-client metrics (a counter and a latency histogram per provider and
// endpoint), which is what an agent exporting straight to Prometheus would do per event.
// Usage: node dist/bench/health-ingest.js [--events 2000000] [--endpoints 500]
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Counter, Histogram, Registry } from 'prom-client';
import type { MonitorEvent, TcpEvent } from '../src/events.js';
import { EventAggregator } from '../src/health/rollups/aggregator.js';
import { defaultSeriesLimits } from '../src/health/engine-settings.js';
import type { EndpointLabel } from '../src/external/endpoint-label.js';
import type { LabeledEvent } from '../src/external/labeled-event.js';

const { values } = parseArgs({ options: { events: { type: 'string', default: '2000000' }, endpoints: { type: 'string', default: '500' } } });
const total = Number(values.events);
const endpoints = Number(values.endpoints);
const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);

// Endpoint i is 198.51.100.x / 203.0.113.x-style addresses labelled to provider p<i % 50>.
const ips = Array.from({ length: endpoints }, (_, i) => `10.${200 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`);
const providerOf = new Map(ips.map((ip, i) => [ip, `p${i % 50}`]));
// The labelling stage's cached labels, looked up per event inside the timed loop as the stage does.
const labelOf = new Map(ips.map((ip): [string, EndpointLabel] => [ip, { ip, provider: providerOf.get(ip), service: 'api', region: 'eu-west-1', source: 'ip-ranges', confidence: 0.6 }]));
const probeLabel: EndpointLabel = { ip: '', source: 'config', confidence: 1 };

function labelled(batch: readonly MonitorEvent[]): LabeledEvent[] {
  const out: LabeledEvent[] = [];
  for (const event of batch) {
    if (event.type === 'probe') out.push({ event, label: { ...probeLabel, provider: event.provider } });
    else if (event.type === 'tcp') out.push({ event, label: labelOf.get(event.dst)! });
  }
  return out;
}
const comms = ['java', 'python3', 'curl', 'envoy', 'node'];

function makeEvents(): MonitorEvent[] {
  const out: MonitorEvent[] = [];
  let x = 12345;
  for (let i = 0; i < total; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    const r = (x >>> 0) % 1000;
    const ep = (x >>> 0) % endpoints;
    // Ten minutes of traffic: the aggregator sees minute boundaries as in real time.
    const ts = T0 + Math.floor((i / total) * 600_000);
    if (r < 10) {
      out.push({ type: 'probe', check: `check-${ep % 20}`, probe: 'http', target: `https://api-${ep}.example/`, ok: r > 1, ts, phases: { dnsMs: 2, connectMs: 10, tlsMs: 20, firstByteMs: 30, totalMs: 65 }, attempts: 1, provider: `p${ep % 50}` });
      continue;
    }
    const base: Omit<TcpEvent, 'event'> = { type: 'tcp', ts, src: '10.206.0.2', sport: 40000 + (i & 16383), dst: ips[ep], dport: 443, comm: comms[ep % 5] };
    if (r < 800) out.push({ ...base, event: 'established', latencyMs: 5 + (r % 90) * 0.7 });
    else if (r < 850) out.push({ ...base, event: 'failed', reason: 'timeout' });
    else if (r < 950) out.push({ ...base, event: 'retransmit', syn: r < 870 });
    else out.push({ ...base, event: 'reset' });
  }
  return out;
}

const events = makeEvents();
const BATCH = 1000;

/** CPU seconds of this process since `since` (user + system): the figure for "one core" on a shared machine. */
function cpuSeconds(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1e6;
}

function runAggregator(): { seconds: number; cpuSeconds: number; buckets: number } {
  const agg = new EventAggregator({ hostName: 'bench', breakdownLimit: 20, limits: defaultSeriesLimits() });
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < events.length; i += BATCH) agg.ingestEvents(labelled(events.slice(i, i + BATCH)));
  const buckets = agg.drain().length;
  return { seconds: (performance.now() - start) / 1000, cpuSeconds: cpuSeconds(cpu), buckets };
}

function runPromClient(): { seconds: number; cpuSeconds: number } {
  const registry = new Registry();
  const calls = new Counter({ name: 'egress_connects_total', help: 'connects', labelNames: ['provider', 'endpoint', 'process', 'result'], registers: [registry] });
  const latency = new Histogram({ name: 'egress_connect_seconds', help: 'connect latency', labelNames: ['provider', 'endpoint'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1], registers: [registry] });
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < events.length; i += BATCH) {
    for (const ev of events.slice(i, i + BATCH)) {
      if (ev.type === 'tcp') {
        const provider = providerOf.get(ev.dst) ?? 'unknown';
        const endpoint = `${ev.dst}:${ev.dport}`;
        calls.inc({ provider, endpoint, process: ev.comm ?? 'unknown', result: ev.event });
        if (ev.event === 'established' && ev.latencyMs !== undefined) latency.observe({ provider, endpoint }, ev.latencyMs / 1000);
      } else if (ev.type === 'probe') {
        calls.inc({ provider: ev.provider ?? 'unknown', endpoint: ev.check, process: 'check', result: ev.ok ? 'ok' : 'failed' });
        latency.observe({ provider: ev.provider ?? 'unknown', endpoint: ev.check }, ev.phases.totalMs / 1000);
      }
    }
  }
  return { seconds: (performance.now() - start) / 1000, cpuSeconds: cpuSeconds(cpu) };
}

// Warm-up pass for both (JIT), then the measured passes.
runAggregator();
runPromClient();
const runs = [runAggregator(), runAggregator(), runAggregator()];
const best = runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
const peers = [runPromClient(), runPromClient()];
const peer = peers.reduce((a, b) => (b.seconds < a.seconds ? b : a));
console.log(JSON.stringify({
  benchmark: 'health-ingest',
  events: total,
  endpoints,
  loadAverage1m: loadavg()[0],
  aggregator: { eventsPerSecond: Math.round(total / best.seconds), eventsPerCpuSecond: Math.round(total / best.cpuSeconds), minuteBucketsOut: best.buckets, targetEventsPerSecond: 200_000 },
  peerPromClient: { eventsPerSecond: Math.round(total / peer.seconds), eventsPerCpuSecond: Math.round(total / peer.cpuSeconds) },
}, null, 2));
