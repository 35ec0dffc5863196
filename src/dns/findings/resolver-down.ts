// resolver_down: queries keep timing out at a resolver that has answered nothing since they
// were sent (or ever): it answers nothing while queries are sent to it. ICMP destination-unreachable
// errors for the queries (port unreachable: nothing listens on its DNS port) are the same evidence,
// only sooner and more certain.
import type { ResolverState } from '../resolver-health.js';
import type { DnsFinding } from '../types.js';
import { makeFinding } from './finding.js';

export function resolverDown(state: ResolverState, since: number, minQueries: number): DnsFinding | undefined {
  const failed = state.silentTimeouts + state.silentUnreachable;
  if (failed < minQueries || state.silentLastTs < since) return undefined;
  const answeredBefore = Number.isFinite(state.lastAnswerTs);
  const queries = Math.max(state.silentQueries, failed);
  const refused = state.silentUnreachable > 0 ? `${state.silentTimeouts ? ', ' : ''}${state.silentUnreachable} refused by ICMP ${state.unreachableReason} unreachable${state.unreachableReason === 'port' ? ': nothing listens on its DNS port' : ''}` : '';
  return makeFinding({
    kind: 'resolver_down',
    severity: 'critical',
    resolver: state.server,
    count: failed,
    clients: state.clients,
    firstSeenMs: state.silentFirstTs,
    lastSeenMs: state.silentLastTs,
    summary: `resolver ${state.server} answered none of ${queries} queries (${state.silentTimeouts ? `${state.silentTimeouts} timed out` : ''}${refused})${answeredBefore ? ` since its last answer at ${new Date(state.lastAnswerTs).toISOString()}` : ''}`,
    evidence: { queries, timeouts: state.silentTimeouts, unreachable: state.silentUnreachable, lastAnswer: answeredBefore ? new Date(state.lastAnswerTs).toISOString() : null },
  });
}
