// Turns evaluations (burn-rate conditions, anomalies, DNS findings) into alert candidates with stable fingerprints.
import type { AlertCandidate } from './alert-book.js';
import type { Attribution } from './alert.js';
import type { AnomalyScore } from '../evaluation/anomaly.js';
import type { DnsFindingInput } from '../signal-inputs.js';
import { windowLabel, type BurnCondition } from '../evaluation/slo-evaluator.js';

function fixed(v: number, digits = 1): string {
  return v.toFixed(digits);
}

/**
 * The strongest burn-rate condition per severity becomes one alert (page, ticket). When what
 * burns has stopped (the SLO's last 2-3 minutes clean), a page only continues, it never opens:
 * its windows may hold only an outage that is over, as when a young agent's volume guard is met
 * minutes after its first outage ended. A ticket still opens: the budget was spent.
 */
export function burnRateCandidates(
  firing: readonly BurnCondition[],
  slo: { name: string; objective: number; kind: 'success' | 'latency' },
  providerId: string,
  endpointId: string | null,
  attribution: Attribution | null,
): AlertCandidate[] {
  const out: AlertCandidate[] = [];
  for (const severity of ['page', 'ticket'] as const) {
    const conds = firing.filter((c) => c.rule.severity === severity);
    if (conds.length === 0) continue;
    const c = conds.reduce((a, b) => (b.rule.factor > a.rule.factor ? b : a));
    const target = endpointId ?? providerId;
    const long = windowLabel(c.rule.longMs);
    const short = windowLabel(c.rule.shortMs);
    out.push({
      fingerprint: `slo|${target}|${slo.name}|${severity}`,
      name: severity === 'page' ? 'SloBurnRatePage' : 'SloBurnRateTicket',
      severity,
      providerId,
      endpointId,
      summary: `${slo.name} SLO (${(slo.objective * 100).toString()} %) of ${target} burns its error budget ${fixed(c.longBurn)}× over ${long} and ${fixed(c.shortBurn)}× over ${short} (threshold ${c.rule.factor}×; ${c.longBad} of ${c.longTotal} bad over ${long}${slo.kind === 'success' ? ', connects and check runs weighing the same' : ''})`,
      labels: { slo: slo.name, long_window: long, short_window: short },
      values: { longBurnRate: round(c.longBurn), shortBurnRate: round(c.shortBurn), factor: c.rule.factor, longTotal: c.longTotal, longBad: c.longBad },
      attribution,
      ...(severity === 'page' && c.stopped ? { continuesOnly: true } : {}),
    });
  }
  return out;
}

export function anomalyCandidate(
  signal: 'failure_ratio' | 'latency',
  providerId: string,
  value: number,
  count: number,
  score: AnomalyScore,
  attribution: Attribution | null,
): AlertCandidate {
  const what = signal === 'latency'
    ? `median latency ${fixed(value)} ms against a usual ${fixed(score.expected)} ms`
    : `failure ratio ${fixed(value * 100, 2)} % against a usual ${fixed(score.expected * 100, 2)} %`;
  return {
    fingerprint: `anomaly|${providerId}|${signal}`,
    name: signal === 'latency' ? 'LatencyAnomaly' : 'FailureRateAnomaly',
    severity: 'ticket',
    providerId,
    endpointId: null,
    summary: `${providerId}: ${what} for this hour of day over ${count} calls (significance ${fixed(score.significance)})`,
    labels: { signal, baseline: score.seasonal ? 'hour_of_day' : 'all_hours' },
    values: { value: round(value), expected: round(score.expected), significance: round(score.significance), count },
    attribution,
  };
}

function camel(kind: string): string {
  return kind.split(/[^a-zA-Z0-9]+/).filter(Boolean).map((w) => w[0].toUpperCase() + w.slice(1)).join('');
}

export function dnsFindingCandidate(f: DnsFindingInput): AlertCandidate {
  const labels: Record<string, string> = { finding: f.kind };
  if (f.resolver) labels.resolver = f.resolver;
  if (f.zone) labels.zone = f.zone;
  return {
    fingerprint: `dns|${f.kind}|${f.resolver ?? ''}|${f.zone ?? ''}`,
    name: `Dns${camel(f.kind)}`,
    severity: f.severity,
    providerId: null,
    endpointId: null,
    summary: f.fix ? `${f.summary} Fix: ${f.fix}` : f.summary,
    labels,
    values: {},
    attribution: f.resolver
      ? { scope: 'resolver', targets: [f.resolver], reason: f.evidence?.[0] ?? f.summary }
      : { scope: 'local', targets: [], reason: f.evidence?.[0] ?? f.summary },
  };
}

function round(v: number): number {
  return Math.round(v * 10_000) / 10_000;
}
