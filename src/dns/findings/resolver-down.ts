// resolver_down: queries keep timing out at a resolver that has answered nothing since they
// were sent (or ever): it answers nothing while queries are sent to it.
import type { ResolverState } from '../resolver-health.js';
import type { DnsFinding } from '../types.js';
import { makeFinding } from './finding.js';

export function resolverDown(state: ResolverState, since: number, minQueries: number): DnsFinding | undefined {
  if (state.silentTimeouts < minQueries || state.silentLastTs < since) return undefined;
  const answeredBefore = Number.isFinite(state.lastAnswerTs);
  const queries = Math.max(state.silentQueries, state.silentTimeouts);
  return makeFinding({
    kind: 'resolver_down',
    severity: 'critical',
    resolver: state.server,
    count: state.silentTimeouts,
    clients: state.clients,
    firstSeenMs: state.silentFirstTs,
    lastSeenMs: state.silentLastTs,
    summary: `resolver ${state.server} answered none of ${queries} queries (${state.silentTimeouts} timed out)${answeredBefore ? ` since its last answer at ${new Date(state.lastAnswerTs).toISOString()}` : ''}`,
    evidence: { queries, timeouts: state.silentTimeouts, lastAnswer: answeredBefore ? new Date(state.lastAnswerTs).toISOString() : null },
  });
}
