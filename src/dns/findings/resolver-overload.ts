// resolver_overload: at one resolver, the busiest windows are clearly slower or time out more
// than the quietest ones: latency and timeouts grow with load.
import { emptyWindow, mergeWindow, type HealthWindow, type ResolverState } from '../resolver-health.js';
import type { DnsFinding } from '../types.js';
import { makeFinding, pct } from './finding.js';

const MIN_WINDOWS = 4;
const LOAD_RATIO = 2;
const LATENCY_RATIO = 2;
const LATENCY_MIN_RISE_MS = 20;
const TIMEOUT_RATE_RISE = 0.05;

function mergeAll(ws: HealthWindow[], alpha: number): HealthWindow {
  const m = emptyWindow(ws[0]?.start ?? 0, alpha);
  for (const w of ws) mergeWindow(m, w);
  return m;
}

export function resolverOverload(state: ResolverState, since: number, windowMs: number, minQueries: number): DnsFinding | undefined {
  const windows = state.windows.filter((w) => w.start + windowMs > since && w.queries >= minQueries);
  if (windows.length < MIN_WINDOWS) return undefined;
  const byLoad = [...windows].sort((a, b) => a.queries - b.queries);
  const third = Math.max(1, Math.floor(byLoad.length / 3));
  const alpha = windows[0].latency.alpha;
  const low = mergeAll(byLoad.slice(0, third), alpha);
  const high = mergeAll(byLoad.slice(-third), alpha);
  const lowQps = low.queries / third / (windowMs / 1000);
  const highQps = high.queries / third / (windowMs / 1000);
  if (highQps < lowQps * LOAD_RATIO) return undefined;
  const lowP90 = low.latency.quantile(0.9) ?? 0;
  const highP90 = high.latency.quantile(0.9) ?? 0;
  const lowTimeoutRate = low.timeouts / Math.max(1, low.queries);
  const highTimeoutRate = high.timeouts / Math.max(1, high.queries);
  const slower = highP90 >= lowP90 * LATENCY_RATIO && highP90 - lowP90 >= LATENCY_MIN_RISE_MS;
  const moreTimeouts = high.timeouts >= minQueries && highTimeoutRate >= lowTimeoutRate + TIMEOUT_RATE_RISE;
  if (!slower && !moreTimeouts) return undefined;
  const busiest = byLoad.slice(-third).map((w) => w.start);
  return makeFinding({
    kind: 'resolver_overload',
    severity: moreTimeouts ? 'critical' : 'warning',
    resolver: state.server,
    count: high.queries,
    clients: state.clients,
    firstSeenMs: Math.min(...busiest),
    lastSeenMs: Math.max(...busiest) + windowMs,
    summary: `resolver ${state.server} degrades under load: at ${highQps.toFixed(1)} queries/s p90 ${highP90.toFixed(1)} ms and ${pct(highTimeoutRate)} timeouts, against ${lowQps.toFixed(1)} queries/s p90 ${lowP90.toFixed(1)} ms and ${pct(lowTimeoutRate)} timeouts`,
    evidence: {
      lowLoadQps: lowQps, highLoadQps: highQps, lowLoadP90Ms: lowP90, highLoadP90Ms: highP90,
      lowLoadTimeoutRate: lowTimeoutRate, highLoadTimeoutRate: highTimeoutRate, windowsCompared: third * 2,
    },
    mitigations: ['scale the resolver out (more replicas) or give it more CPU', 'add a node-local DNS cache so repeated lookups stay on the node'],
  });
}
