// Calls by kind (outbound connects seen by capture, check runs) and their failure ratio with each
// kind weighing the same: a thousand healthy connects do not hide a check failing every run.
import type { SliCounts } from '../rollups/sli-windows.js';

export interface CallKind {
  name: 'connects' | 'check runs';
  total: number;
  failed: number;
}

/** The kinds with calls in the counts. */
export function callKinds(c: SliCounts): CallKind[] {
  const connects: CallKind = { name: 'connects', total: c.tcpAttempts, failed: c.tcpFailed };
  const checks: CallKind = { name: 'check runs', total: c.total - c.tcpAttempts, failed: c.failed - c.tcpFailed };
  return [connects, checks].filter((k) => k.total > 0);
}

/** The mean of the kinds' failure ratios; null without calls. */
export function weightedFailureRatio(c: SliCounts): number | null {
  const kinds = callKinds(c);
  return kinds.length ? kinds.reduce((s, k) => s + k.failed / k.total, 0) / kinds.length : null;
}
