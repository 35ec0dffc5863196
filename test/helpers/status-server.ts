// Starts the status server on an ephemeral loopback port over an in-memory store filled by the test.
import { MetricsExporter } from '../../src/server/metrics.js';
import { StatusServer } from '../../src/server/http-server.js';
import type { ConnectionLimits } from '../../src/server/connection-limits.js';
import type { MonitoringStatus, ServerSources } from '../../src/server/status-sources.js';
import type { DnsSnapshot } from '../../src/dns/types.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import type { Store } from '../../src/store/store.js';
import type { HostIdentity } from '../../src/identity.js';

export interface TestServer {
  url: string;
  port: number;
  store: Store;
  metrics: MetricsExporter;
  server: StatusServer;
  setDns(snapshot: DnsSnapshot | undefined): void;
  close(): Promise<void>;
}

export function monitoringStatus(over: Partial<MonitoringStatus> = {}): MonitoringStatus {
  return {
    startedAt: Date.parse('2026-11-23T12:00:00Z'), version: '0.1.0',
    capture: { state: 'unavailable', detail: 'live capture needs root (CAP_BPF and CAP_PERFMON)' },
    notMonitored: ['passive DNS and TCP signals (no capture)'], checks: 2, resolvers: ['10.0.0.2'],
    stages: { store: { status: 'pass', detail: 'in-memory store' }, capture: { status: 'warn', detail: 'unavailable' } },
    ...over,
  };
}

export async function startTestServer(opts: { store?: Store; dns?: DnsSnapshot; token?: string; now?: number; monitoring?: Partial<MonitoringStatus>; topN?: number; hosts?: string[]; limits?: ConnectionLimits; overview?: ServerSources['overview']; logoUrl?: string; identity?: HostIdentity } = {}): Promise<TestServer> {
  const store = opts.store ?? new MemoryStore();
  await store.open();
  let dns = opts.dns;
  const sources: ServerSources = { store, overview: opts.overview, dns: () => dns, monitoring: () => monitoringStatus(opts.monitoring), now: () => opts.now ?? Date.now() };
  const metrics = new MetricsExporter({ sources, version: '0.1.0', identity: opts.identity ?? { host: 'test-host', cluster: null, zone: null }, topN: opts.topN, processMetrics: false });
  const server = new StatusServer({ sources, metrics, token: opts.token, hosts: opts.hosts, limits: opts.limits, logoUrl: opts.logoUrl });
  metrics.watchConnections(server.refused);
  const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
  return { url: `http://127.0.0.1:${port}`, port, store, metrics, server, setDns: (s) => (dns = s), close: () => server.close() };
}
