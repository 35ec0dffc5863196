// The reliability score (0–100) and the state of a provider or endpoint, from its recent SLI counts.
//
// score = 100 × (0.5 × success + 0.2 × latency + 0.2 × budget + 0.1 × stability), where each term is in [0, 1]:
//   success   = max(0, 1 − 10 × failure ratio over the last hour)      (10 % failures → 0); the ratio is
//               the mean of each kind's (connects, check runs), not pooled by volume
//   latency   = max(0, 1 − 10 × share of calls over the latency SLO threshold in the last hour)
//   budget    = error budget left of the success SLO over its window, clamped to [0, 1]
//   stability = max(0, 1 − 10 × (resets + retransmits) per connect attempt in the last hour)
// A term without data counts as 1 and says "no data", so a quiet provider is not punished.
// State, from the last 5 minutes (the last hour when 5 minutes hold fewer than 20 calls):
//   major_outage ≥ 50 % failures, partial_outage ≥ 10 % or a page alert firing (degraded instead
//   once the last 5 minutes hold 20 calls or more with under 1 % failing: recovering),
//   degraded ≥ 1 % failures, a ticket or anomaly alert firing, or a latency SLO missed over the hour.
//   A provider whose last 2-3 minutes hold 10 calls or more, under 1 % failing, is recovering: at
//   worst degraded, while the 5-minute window still holds the outage it came out of. So is one
//   whose checks all pass again as many runs in a row as end their CheckFailing page, while its
//   connects of those minutes (if any) succeed.
import type { HealthState, ReliabilityScore, ScoreComponent } from '../snapshot/health-snapshot.js';
import type { SliCounts } from '../rollups/sli-windows.js';
import { callKinds, weightedFailureRatio } from './call-kinds.js';
import { RECENT_MIN_EVENTS } from './slo-evaluator.js';

export const SCORE_FORMULA = 'score = 100 × (0.5 × success + 0.2 × latency + 0.2 × budget + 0.1 × stability)';

const WEIGHTS = { success: 0.5, latency: 0.2, budget: 0.2, stability: 0.1 };

export interface ScoreInputs {
  /** Last hour. */
  hour: SliCounts;
  /** Index into hour.latGood of the latency SLO threshold, and the threshold itself (-1: none). */
  latencyIndex: number;
  latencyThresholdMs: number | null;
  /** Budget left of the success SLO, null without data. */
  budgetRemaining: number | null;
}

function pct(v: number): string {
  return `${(Math.round(v * 10_000) / 100).toString()} %`;
}

function component(name: keyof typeof WEIGHTS, value: number, detail: string): ScoreComponent {
  const v = Math.max(0, Math.min(1, value));
  return { name, detail, value: Math.round(v * 10_000) / 10_000, weight: WEIGHTS[name], points: Math.round(v * WEIGHTS[name] * 1000) / 10 };
}

export function reliabilityScore(input: ScoreInputs): ReliabilityScore {
  const h = input.hour;
  const components: ScoreComponent[] = [];
  if (h.total > 0) {
    // Each kind of call weighs the same, whatever its volume: a thousand healthy connects do not
    // hide a check that fails every run.
    const kinds = callKinds(h);
    const ratio = weightedFailureRatio(h) ?? 0;
    const said = kinds.map((k) => `${pct(1 - k.failed / k.total)} of ${k.total} ${k.name}`).join(', ');
    components.push(component('success', 1 - 10 * ratio, `${said} succeeded in the last hour${kinds.length > 1 ? ' (each kind weighs the same)' : ''}`));
  } else components.push(component('success', 1, 'no calls in the last hour'));
  if (input.latencyIndex >= 0 && h.latTotal > 0) {
    const slow = (h.latTotal - (h.latGood[input.latencyIndex] ?? 0)) / h.latTotal;
    components.push(component('latency', 1 - 10 * slow, `${pct(slow)} of ${h.latTotal} timed calls took over ${input.latencyThresholdMs} ms in the last hour`));
  } else components.push(component('latency', 1, 'no latency data in the last hour'));
  if (input.budgetRemaining !== null) {
    components.push(component('budget', input.budgetRemaining, `${pct(Math.max(0, input.budgetRemaining))} of the error budget left`));
  } else components.push(component('budget', 1, 'no data in the SLO window'));
  if (h.tcpAttempts > 0) {
    const rate = (h.resets + h.retransmits) / h.tcpAttempts;
    components.push(component('stability', 1 - 10 * rate, `${h.resets} resets and ${h.retransmits} retransmits over ${h.tcpAttempts} connects in the last hour`));
  } else components.push(component('stability', 1, 'no TCP connections in the last hour'));
  const score = Math.round(components.reduce((s, c) => s + c.value * c.weight * 100, 0) * 10) / 10;
  return { score, components, formula: SCORE_FORMULA };
}

export interface StateInputs {
  fiveMin: SliCounts;
  /** The last 2 to 3 minutes (RECENT_WINDOW_MS). */
  recent?: SliCounts;
  hour: SliCounts;
  pageFiring: boolean;
  ticketFiring: boolean;
  /** A latency SLO was missed over the last hour. */
  latencyMissed: boolean;
  /** Every check of the series passed the runs in a row that end a CheckFailing page. */
  checksPassing?: boolean;
}

/** The failure ratio that decides the state, from the last 5 minutes or the last hour when 5 minutes are too quiet. */
export function stateRatio(fiveMin: SliCounts, hour: SliCounts): number | null {
  const c = fiveMin.total >= 20 ? fiveMin : hour;
  return c.total > 0 ? c.failed / c.total : null;
}

export function stateFromRatio(ratio: number | null): HealthState {
  if (ratio === null) return 'operational';
  if (ratio >= 0.5) return 'major_outage';
  if (ratio >= 0.1) return 'partial_outage';
  if (ratio >= 0.01) return 'degraded';
  return 'operational';
}

const ORDER: HealthState[] = ['operational', 'degraded', 'partial_outage', 'major_outage'];

export function worstState(a: HealthState, b: HealthState): HealthState {
  return ORDER.indexOf(a) >= ORDER.indexOf(b) ? a : b;
}

export function healthState(input: StateInputs): HealthState {
  let state = stateFromRatio(stateRatio(input.fiveMin, input.hour));
  // The outage is over when the last 2-3 minutes' calls succeed: the 5-minute window would keep
  // saying "major outage" for minutes after the incident resolved.
  const recent = input.recent;
  const recentClean = recent !== undefined && recent.total >= RECENT_MIN_EVENTS && recent.failed / recent.total < 0.01;
  // Or, for a series with checks, when they pass again as many runs in a row as end their page
  // (its incident resolves then) and its connects of the last minutes, if any, succeed: a check
  // every 10 s needs 3 minutes to fill the window, and the state said "outage" meanwhile.
  const connectsClean = recent === undefined || recent.tcpAttempts === 0 || recent.tcpFailed / recent.tcpAttempts < 0.01;
  const recovered = recentClean || (input.checksPassing === true && connectsClean);
  if (recovered && ORDER.indexOf(state) > ORDER.indexOf('degraded')) state = 'degraded';
  // A page alert on long windows keeps firing for a while after the provider recovered: with
  // enough calls in the last 5 minutes and under 1 % failing, the provider is recovering (degraded),
  // not in an outage.
  const recovering = recovered || (input.fiveMin.total >= 20 && input.fiveMin.failed / input.fiveMin.total < 0.01);
  if (input.pageFiring) state = worstState(state, recovering ? 'degraded' : 'partial_outage');
  if (input.ticketFiring || input.latencyMissed) state = worstState(state, 'degraded');
  return state;
}
