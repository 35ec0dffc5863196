// Runs every check once (for `egresswatch check --once`), under the same concurrency cap.
import type { ProbeResult } from '../events.js';
import type { CheckRunner } from './check-runner.js';
import { ConcurrencyLimit } from './concurrency-limit.js';
import type { Check } from './types.js';

/** Results in the order of `checks`; onResult sees each as soon as it is ready. */
export async function runChecksOnce(checks: readonly Check[], run: CheckRunner, signal: AbortSignal, concurrency = 32, onResult?: (r: ProbeResult) => void): Promise<ProbeResult[]> {
  const limit = new ConcurrencyLimit(concurrency);
  return Promise.all(
    checks.map(async (check) => {
      await limit.acquire();
      try {
        const result = await run(check, signal);
        onResult?.(result);
        return result;
      } finally {
        limit.release();
      }
    }),
  );
}
