// Health per component (dns, tcp, tls, http) of an endpoint, for the health+json format: each
// phase's status from the check's last run, its latency from the last hour.
import { LatencySketch } from '../../sketch/latency-sketch.js';
import type { EndpointInfo } from '../rollups/aggregator.js';
import type { LatencySignal } from '../rollups/bucket.js';
import type { SliCounts } from '../rollups/sli-windows.js';
import type { LastRun, PhaseName } from './check-last-runs.js';
import type { SignalSketches } from './hour-latency.js';
import type { ComponentHealth, HealthState } from './health-snapshot.js';

/** The signals' sketches merged into one (a single signal's sketch as it is). */
export function mergedSketch(sketches: SignalSketches, signals: readonly LatencySignal[]): LatencySketch {
  const present = signals.map((s) => sketches[s]).filter((s): s is LatencySketch => s !== undefined);
  if (present.length === 1) return present[0];
  const out = new LatencySketch();
  for (const s of present) out.merge(s);
  return out;
}

/**
 * The health components of an endpoint, keyed "component:measurement" as the health+json draft
 * does. A passive endpoint has one, its TCP connects (status from the endpoint's state). A check
 * endpoint has one per phase its last run went through, each with that phase's own status (an
 * HTTP 500 fails http while dns and tcp pass) and its median latency over the hour, plus the
 * certificate's days to expiry when the check saw one.
 */
export function componentChecks(info: EndpointInfo, sketches: SignalSketches, state: HealthState, hour: SliCounts, now: number, last: LastRun | undefined): Record<string, ComponentHealth> {
  const median = (signals: LatencySignal[]) => {
    const s = mergedSketch(sketches, signals);
    return s.count > 0 ? Math.round((s.quantile(0.5) ?? 0) * 100) / 100 : null;
  };
  const time = info.lastSeen || now;
  if (info.probeType === null || !last) {
    const status: ComponentHealth['status'] = state === 'operational' ? 'pass' : state === 'degraded' ? 'warn' : 'fail';
    const ratio = hour.total > 0 ? `${((1 - hour.failed / hour.total) * 100).toFixed(2)} % of ${hour.total} calls succeeded in the last hour` : 'no calls in the last hour';
    const component = info.probeType ?? 'tcp';
    const signals: LatencySignal[] = info.probeType === null ? ['connect'] : ['probeTotal'];
    return { [`${component}:responseTime`]: { component, measurement: 'responseTime', status, observedValue: median(signals), observedUnit: 'ms', time, output: ratio } };
  }
  const signalOf: Record<PhaseName, LatencySignal[]> = {
    dns: info.probeType === 'dns' ? ['probeTotal'] : ['probeDns'],
    tcp: ['probeConnect'],
    tls: ['probeTls'],
    http: ['probeFirstByte'],
  };
  const out: Record<string, ComponentHealth> = {};
  for (const phase of ['dns', 'tcp', 'tls', 'http'] as const) {
    const p = last.phases[phase];
    if (!p) continue;
    out[`${phase}:responseTime`] = { component: phase, measurement: 'responseTime', status: p.status === 'warn' ? 'pass' : p.status, observedValue: median(signalOf[phase]), observedUnit: 'ms', time: last.ts, ...(p.status === 'fail' && p.output ? { output: p.output } : {}) };
  }
  if (last.certExpiryDays !== undefined) {
    const warn = last.phases.tls?.status === 'warn';
    const expired = last.certExpiryDays < 0;
    out['tls:certificateExpiry'] = {
      component: 'tls', measurement: 'certificateExpiry', status: expired ? 'fail' : warn ? 'warn' : 'pass', observedValue: last.certExpiryDays, observedUnit: 'd', time: last.ts,
      ...(warn ? { output: last.phases.tls?.output } : {}),
    };
  }
  return out;
}
