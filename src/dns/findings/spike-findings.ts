// Turns the rcode spikes detected at window close into findings, one per resolver and kind.
import type { DnsFinding } from '../types.js';
import { makeFinding, pct } from './finding.js';
import type { RcodeSpike } from './rcode-spike.js';

export function spikeFindings(spikes: RcodeSpike[], windowMs: number): DnsFinding[] {
  const groups = new Map<string, RcodeSpike[]>();
  for (const s of spikes) {
    const k = `${s.kind} ${s.resolver}`;
    const list = groups.get(k) ?? [];
    list.push(s);
    groups.set(k, list);
  }
  const out: DnsFinding[] = [];
  for (const list of groups.values()) {
    const worst = list.reduce((a, b) => (b.rate > a.rate ? b : a));
    const count = list.reduce((a, s) => a + s.count, 0);
    const rcode = worst.kind === 'nxdomain_spike' ? 'NXDOMAIN' : 'SERVFAIL';
    out.push(makeFinding({
      kind: worst.kind,
      severity: worst.kind === 'servfail_spike' ? 'critical' : 'warning',
      resolver: worst.resolver,
      zone: worst.zone,
      count,
      firstSeenMs: list[0].windowStart,
      lastSeenMs: list[list.length - 1].windowStart + windowMs,
      summary: `${rcode} at resolver ${worst.resolver} rose to ${pct(worst.rate)} of answers (baseline ${pct(worst.baselineRate)})${worst.zone ? `, mostly zone ${worst.zone}` : ''}, in ${list.length} window(s)`,
      evidence: { windows: list.length, peakRate: worst.rate, baselineRate: worst.baselineRate, peakCount: worst.count, peakAnswered: worst.answered },
    }));
  }
  return out;
}
