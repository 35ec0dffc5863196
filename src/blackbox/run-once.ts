// Runs every check once (for `egresswatch check --once`), under the same concurrency cap as the
// scheduler. Every check is due at the same moment here, so starts are spaced a few milliseconds
// apart: a probe's timings would otherwise include the start-up work of the probes started with it.
import { systemClock, type Clock } from '../clock.js';
import type { ProbeResult } from '../events.js';
import type { CheckRunner } from './check-runner.js';
import { ConcurrencyLimit } from './concurrency-limit.js';
import type { Check } from './types.js';

/**
 * Between two starts: a probe's start (connect, request) takes about 1 ms of CPU, and its reply's
 * handling about as much, so 3 ms keeps them from queueing behind each other.
 */
export const START_SPACING_MS = 3;

export interface RunOnceOptions {
  /** Probes in flight at once (default 32). */
  concurrency?: number;
  /** Sees each result as soon as it is ready. */
  onResult?: (r: ProbeResult) => void;
  /** Time for the spacing between starts (default: the system clock). */
  clock?: Clock;
}

/** Results in the order of `checks`. */
export async function runChecksOnce(checks: readonly Check[], run: CheckRunner, signal: AbortSignal, options: RunOnceOptions = {}): Promise<ProbeResult[]> {
  const { concurrency = 32, onResult, clock = systemClock } = options;
  const limit = new ConcurrencyLimit(concurrency);
  // Each start waits for the previous one, then for START_SPACING_MS after it really began.
  let previous: Promise<number> = Promise.resolve(Number.NEGATIVE_INFINITY);
  const turn = (): Promise<void> => {
    const before = previous;
    let began!: (at: number) => void;
    previous = new Promise((resolve) => (began = resolve));
    return before.then(async (startedAt) => {
      const at = startedAt + START_SPACING_MS;
      // A timer can fire up to about a millisecond early (Node counts whole milliseconds of loop time).
      while (clock.now() < at) await clock.sleep(at - clock.now());
      began(clock.now());
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
