// resolver_down: the newest run of windows in which a resolver was sent queries and answered none.
import type { ResolverState } from '../resolver-health.js';
import type { DnsFinding } from '../types.js';
import { makeFinding } from './finding.js';

export function resolverDown(state: ResolverState, since: number, windowMs: number, minQueries: number): DnsFinding | undefined {
  const windows = state.windows.filter((w) => w.start + windowMs > since && (w.queries > 0 || w.answered > 0 || w.timeouts > 0));
  let queries = 0;
  let timeouts = 0;
  let first: number | undefined;
  let last: number | undefined;
  // Walk back from the newest window while nothing was answered.
  for (let i = windows.length - 1; i >= 0; i--) {
    const w = windows[i];
    if (w.answered > 0) break;
    queries += w.queries;
    timeouts += w.timeouts;
    first = w.start;
    last ??= Math.min(w.start + windowMs, state.lastTs);
  }
  if (first === undefined || last === undefined || timeouts < minQueries || queries < minQueries) return undefined;
  const answeredBefore = windows.some((w) => w.answered > 0);
  return makeFinding({
    kind: 'resolver_down',
    severity: 'critical',
    resolver: state.server,
    count: timeouts,
    clients: state.clients,
    firstSeenMs: Math.max(first, state.firstTs),
    lastSeenMs: last,
    summary: `resolver ${state.server} answered none of ${queries} queries (${timeouts} timed out)${answeredBefore ? ' after answering earlier' : ''}`,
    evidence: { queries, timeouts, answeredEarlier: answeredBefore },
  });
}
