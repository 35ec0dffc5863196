// The lines the run shows for its own stages in /healthz and at the top of the page: what the
// store, the engine and capture are doing when something is wrong with the agent itself.
import type { ReliabilityEngine } from '../health/reliability-engine.js';
import type { StoreWriteStatus } from '../health/store-writes.js';
import type { MonitoringStatus } from '../server/status-sources.js';

type StageLine = MonitoringStatus['stages'][string];

/** The store's line in /healthz and on the page: failing while it cannot write what it is handed. */
export function storeStage(description: string, writes: StoreWriteStatus): StageLine {
  if (writes.ok) return { status: 'pass', detail: description };
  const since = new Date(writes.failingSince ?? 0).toISOString().replace(/\.\d+Z$/, 'Z');
  return { status: 'fail', detail: `cannot write since ${since}: ${writes.lastError ?? 'unknown error'}. Figures and alerts are current (kept in memory); they are written when the store accepts them again` };
}

/** The engine's line: a warning while it sheds detail for memory, with what it folds into "other". */
export function engineStage(summary: string, engine: ReliabilityEngine): StageLine {
  const memory = engine.memoryStatus();
  const { folded, foldedProviders } = engine.counters().aggregator;
  const mb = (bytes: number) => Math.round(bytes / 1_048_576);
  const foldedLine = folded + foldedProviders > 0 ? `; ${folded + foldedProviders} events beyond the limits on providers and endpoints counted as "other" (store.maxDiscoveredProviders, store.maxEndpoints)` : '';
  if (memory.shedding) return { status: 'warn', detail: `memory ${mb(memory.rssBytes)} MB, over 80 % of its ${mb(memory.limitBytes)} MB limit: shedding detail (new providers and endpoints count as "other", idle ones are forgotten after 5 minutes)${foldedLine}` };
  return { status: 'pass', detail: `${summary}${foldedLine}` };
}

/** Capture records lost before user space, by reason: one line. */
export function captureLossLine(lost: Readonly<Record<string, number>>): string {
  const total = Object.values(lost).reduce((a, b) => a + b, 0);
  const parts = Object.entries(lost).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ');
  return `${total} capture records lost before user space since start (${parts}): figures undercount; a larger capture.ringBufferKB absorbs longer bursts`;
}
