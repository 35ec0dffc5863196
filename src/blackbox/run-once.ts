// Runs every check once (for `egresswatch check --once`), under the same concurrency cap and with
// the same spacing between starts as the scheduler's rows, so no probe's timings wait behind
// another's start-up work.
import { performance } from 'node:perf_hooks';
import type { ProbeResult } from '../events.js';
import type { CheckRunner } from './check-runner.js';
import { ConcurrencyLimit } from './concurrency-limit.js';
import { SLOT_SPACING_MS } from './scheduler.js';
import type { Check } from './types.js';

/** Results in the order of `checks`; onResult sees each as soon as it is ready. */
export async function runChecksOnce(checks: readonly Check[], run: CheckRunner, signal: AbortSignal, concurrency = 32, onResult?: (r: ProbeResult) => void): Promise<ProbeResult[]> {
  const limit = new ConcurrencyLimit(concurrency);
  // Each start waits for the previous one, then for SLOT_SPACING_MS after it really began.
  let previous: Promise<number> = Promise.resolve(Number.NEGATIVE_INFINITY);
  const turn = (): Promise<void> => {
    const before = previous;
    let began!: (at: number) => void;
    previous = new Promise((resolve) => (began = resolve));
    return before.then(async (startedAt) => {
      const at = startedAt + SLOT_SPACING_MS;
      // Node's timers can fire up to about a millisecond early (whole milliseconds of loop time).
      while (performance.now() < at) await new Promise((resolve) => setTimeout(resolve, Math.max(1, at - performance.now())));
      began(performance.now());
    });
  };
  return Promise.all(
    checks.map(async (check) => {
      await limit.acquire();
      try {
        await turn();
        const result = await run(check, signal);
        onResult?.(result);
        return result;
      } finally {
        limit.release();
      }
    }),
  );
}
