// Health per component (dns, tcp, tls, http) of an endpoint, for the health+json format, from its
// last hour's latency per signal.
import { LatencySketch } from '../../sketch/latency-sketch.js';
import type { EndpointInfo } from '../rollups/aggregator.js';
import type { LatencySignal } from '../rollups/bucket.js';
import type { SliCounts } from '../rollups/sli-windows.js';
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

export function componentChecks(info: EndpointInfo, sketches: SignalSketches, state: HealthState, hour: SliCounts, now: number): Record<string, ComponentHealth> {
  const status: ComponentHealth['status'] = state === 'operational' ? 'pass' : state === 'degraded' ? 'warn' : 'fail';
  const ratio = hour.total > 0 ? `${((1 - hour.failed / hour.total) * 100).toFixed(2)} % of ${hour.total} calls succeeded in the last hour` : 'no calls in the last hour';
  const median = (signals: LatencySignal[]) => {
    const s = mergedSketch(sketches, signals);
    return s.count > 0 ? Math.round((s.quantile(0.5) ?? 0) * 100) / 100 : null;
  };
  const time = info.lastSeen || now;
  const out: Record<string, ComponentHealth> = {};
  if (info.probeType === null) {
    out.tcp = { status, observedValue: median(['connect']), observedUnit: 'ms', time, output: ratio };
    return out;
  }
  const dns = median(['probeDns']);
  if (dns !== null || info.probeType === 'dns') out.dns = { status, observedValue: info.probeType === 'dns' ? median(['probeTotal']) : dns, observedUnit: 'ms', time, output: ratio };
  const connect = median(['probeConnect']);
  if (connect !== null || info.probeType === 'tcp') out.tcp = { status, observedValue: connect, observedUnit: 'ms', time, output: ratio };
  const tls = median(['probeTls']);
  if (tls !== null || info.probeType === 'tls') out.tls = { status, observedValue: tls, observedUnit: 'ms', time, output: ratio };
  if (info.probeType === 'http') out.http = { status, observedValue: median(['probeFirstByte']), observedUnit: 'ms', time, output: ratio };
  return out;
}
