// Builds health snapshots, incidents and DNS snapshots for server tests and benchmarks: any
// number of providers and endpoints with a full 90-day uptime history, names chosen by the test.
import type { DnsFinding, DnsSnapshot, ResolverHealth } from '../../src/dns/types.js';
import type { DayUptime, EndpointSummary, HealthSnapshot, HealthState, ProviderDetail, ReliabilityScore, SeriesPoint, SloStatus } from '../../src/health/snapshot/health-snapshot.js';
import type { Incident } from '../../src/health/alerts/incident.js';

const DAY = 86_400_000;

export interface ProviderSpec {
  id: string;
  name?: string;
  state?: HealthState;
  endpoints?: number;
  /** Endpoint display names (defaults to api-N.<id>.example:443). */
  endpointNames?: string[];
  /** Days of uptime history (at most 90 are shown). */
  days?: number;
  /** Hosts and processes named in the "affected" breakdown. */
  hosts?: string[];
  processes?: string[];
}

function score(v: number): ReliabilityScore {
  return {
    score: v,
    formula: 'score = 100 × (0.5 × success + 0.2 × latency + 0.2 × budget + 0.1 × stability)',
    components: [
      { name: 'success', detail: 'calls that succeeded in the last hour', value: v / 100, weight: 0.5, points: v / 2 },
      { name: 'latency', detail: 'p99 against the latency SLO', value: 1, weight: 0.2, points: 20 },
      { name: 'budget', detail: 'error budget left', value: 0.9, weight: 0.2, points: 18 },
      { name: 'stability', detail: 'no resets or retransmits', value: 1, weight: 0.1, points: 10 },
    ],
  };
}

function series(now: number, n: number, stepMs: number, base: number, seed: number): SeriesPoint[] {
  return Array.from({ length: n }, (_, i) => {
    const p50 = base + ((i * 7 + seed * 13) % 11);
    return { t: now - (n - i) * stepMs, count: 100, failed: i % 17 === 0 ? 1 : 0, p50Ms: p50, p90Ms: p50 * 1.5, p99Ms: p50 * 2.5 };
  });
}

function days(now: number, count: number, seed: number): DayUptime[] {
  const today = Math.floor(now / DAY) * DAY;
  const shown = Math.min(90, count);
  return Array.from({ length: shown }, (_, i) => {
    const start = today - (shown - 1 - i) * DAY;
    const failed = (i + seed) % 23 === 0 ? 40 : (i + seed) % 7 === 0 ? 3 : 0;
    const total = 10_000 + ((i * 31 + seed) % 500);
    return {
      day: new Date(start).toISOString().slice(0, 10), start,
      uptimePct: 100 * (1 - failed / total), total, failed, p50Ms: 20 + (i % 9), p99Ms: 80 + (i % 13),
      worstState: failed > 10 ? 'degraded' : 'operational', incidents: failed > 10 ? 1 : 0, maintenance: i === shown - 3,
    };
  });
}

function slos(now: number): SloStatus[] {
  return [
    { slo: 'availability', kind: 'success', objective: 0.999, windowMs: 30 * DAY, attained: 0.9995, budgetRemaining: 0.5, budgetSpent: 0.5, burnRates: { '5m': 0.2, '1h': 0.4, '6h': 0.5, '3d': 0.5 }, total: 1_000_000 + (now % 7), signals: { connects: 990_000, checkRuns: 10_000 + (now % 7) } },
    { slo: 'latency', kind: 'latency', objective: 0.99, thresholdMs: 300, windowMs: 30 * DAY, attained: 0.995, budgetRemaining: 0.5, budgetSpent: 0.5, burnRates: { '1h': 0.3 }, total: 1_000_000, signals: { timedCalls: 1_000_000 } },
  ];
}

export function endpoint(providerId: string, name: string, state: HealthState, now: number, seed = 0): EndpointSummary {
  const failing = state !== 'operational';
  return {
    id: `${providerId}|${name}`, providerId, name, service: 'api', region: 'eu-west-1', state, score: score(failing ? 60 : 99),
    total: 1200, failed: failing ? 300 : 1, successRatio: failing ? 0.75 : 0.999, p50Ms: 21 + seed % 5, p99Ms: 90, resetRate: 0, retransmitRate: 0.001, lastSeen: now - 5000,
    checks: {
      'dns:responseTime': { component: 'dns', measurement: 'responseTime', status: 'pass', observedValue: 3.2, observedUnit: 'ms', time: now - 5000 },
      'tcp:responseTime': { component: 'tcp', measurement: 'responseTime', status: failing ? 'fail' : 'pass', observedValue: 8.5, observedUnit: 'ms', time: now - 5000, ...(failing ? { output: 'connection refused' } : {}) },
      'tls:responseTime': { component: 'tls', measurement: 'responseTime', status: 'pass', observedValue: 12.5, observedUnit: 'ms', time: now - 5000 },
      'tls:certificateExpiry': { component: 'tls', measurement: 'certificateExpiry', status: failing ? 'warn' : 'pass', observedValue: failing ? 12 : 80, observedUnit: 'd', time: now - 5000 },
      'http:responseTime': { component: 'http', measurement: 'responseTime', status: 'pass', observedValue: 48.1, observedUnit: 'ms', time: now - 5000 },
    },
    certExpiryDays: failing ? 12 : 80,
    slos: slos(now),
  };
}

export function provider(spec: ProviderSpec, now: number, seed = 0): ProviderDetail {
  const state = spec.state ?? 'operational';
  const count = spec.endpoints ?? 2;
  const names = spec.endpointNames ?? Array.from({ length: count }, (_, i) => `api-${i}.${spec.id}.example:443`);
  const endpoints = names.map((n, i) => endpoint(spec.id, n, i === 0 ? state : 'operational', now, seed + i));
  return {
    id: spec.id, name: spec.name ?? spec.id, state, score: score(state === 'operational' ? 98 : 55),
    uptimeDays: days(now, spec.days ?? 90, seed), uptime90dPct: 99.95,
    latency: series(now, 60, 60_000, 20, seed), slos: slos(now), errorBudgetRemaining: state === 'operational' ? 0.62 : 0, errorBudgetSpent: state === 'operational' ? 0.38 : 1.1, lookups: { total: 120, failed: state === 'operational' ? 0 : 30 },
    endpointCount: endpoints.length, openIncidents: state === 'operational' ? 0 : 1, total: 5000 + seed, failed: state === 'operational' ? 2 : 900, lastSeen: now - 5000,
    endpoints,
    phases: { dns: series(now, 60, 60_000, 3, seed), connect: series(now, 60, 60_000, 10, seed), tls: series(now, 60, 60_000, 15, seed), firstByte: series(now, 60, 60_000, 40, seed) },
    affected: {
      hosts: (spec.hosts ?? ['web-1']).map((h) => ({ value: h, total: 100, failed: 30, failureRatio: 0.3 })),
      processes: (spec.processes ?? ['curl']).map((p) => ({ value: p, total: 100, failed: 30, failureRatio: 0.3 })),
      resolvers: [{ value: '10.0.0.2', total: 400, failed: 0, failureRatio: 0 }],
    },
    incidents: [], maintenance: [],
  };
}

export function snapshot(specs: ProviderSpec[], now: number): HealthSnapshot {
  const providers = specs.map((s, i) => provider(s, now, i));
  return { at: now, overall: providers.some((p) => p.state !== 'operational') ? 'degraded' : 'operational', providers };
}

export function incident(id: string, providerId: string, now: number, title = 'Connect failures to the provider'): Incident {
  return {
    id, providerId, title, severity: 'page', state: 'open', openedAt: now - 600_000, resolvedAt: null,
    attribution: { scope: 'provider', targets: [providerId], reason: 'fails from every host and process' },
    alerts: ['fp1'],
    timeline: [{ at: now - 600_000, kind: 'opened', text: 'burn rate 15x over 1 h and 5 min', alertFingerprint: 'fp1' }],
    notes: [],
  };
}

export function resolver(server: string, over: Partial<ResolverHealth> = {}): ResolverHealth {
  return {
    server, role: 'cluster-dns', queries: 1000, queriesPerSecond: 2, answered: 990, timeouts: 10, unreachable: 0, pending: 0, retransmissions: 4, retries: 3, stalled: 1,
    rcodes: { NOERROR: 900, NXDOMAIN: 80, SERVFAIL: 10 }, latencyMs: { p50: 1.5, p90: 4, p99: 20, max: 60 },
    latencySketch: {} as ResolverHealth['latencySketch'], clients: 3, ...over,
  };
}

export function dnsFinding(over: Partial<DnsFinding> = {}): DnsFinding {
  return {
    kind: 'ndots_amplification', severity: 'warning', resolver: '10.0.0.2', zone: 'example.com', name: 'api.example.com.svc.cluster.local',
    count: 120, clients: ['10.0.0.5'], processes: ['curl[42]'], firstSeen: '2026-11-23T10:00:00.000Z', lastSeen: '2026-11-23T12:00:00.000Z',
    firstSeenMs: Date.parse('2026-11-23T10:00:00Z'), lastSeenMs: Date.parse('2026-11-23T12:00:00Z'),
    summary: 'ndots:5 makes every external lookup try 3 search suffixes first', evidence: { wastedPerLookup: 3, lookups: 40 },
    mitigations: ['Set "options ndots:1" in the pod spec dnsConfig', 'Use fully qualified names with a trailing dot'], ...over,
  };
}

export function dnsSnapshot(resolvers: ResolverHealth[], findings: DnsFinding[]): DnsSnapshot {
  return {
    transactions: 1000, answered: 990, timeouts: 10, pending: 0, malformed: {}, unmatchedResponses: 0, firstEventMs: Date.now() - 60_000, lastEventMs: Date.now(),
    resolvers, findings, zones: [], names: [], ndots: [], recentProblems: [],
    // An hour of minutes per resolver, some failing.
    history: resolvers.map((r, k) => ({
      server: r.server,
      minutes: Array.from({ length: 60 }, (_, i) => ({
        t: Math.floor(Date.now() / 60_000) * 60_000 - (59 - i) * 60_000, queries: 120 + ((i * 7 + k) % 13), answered: 118, timeouts: i % 11 === 0 ? 5 : 0,
        nxdomain: 6 + (i % 4), servfail: i % 17 === 0 ? 3 : 0, refused: 0, p50Ms: 1.5 + (i % 5) / 10, p99Ms: 20 + (i % 9),
      })),
    })),
  };
}
