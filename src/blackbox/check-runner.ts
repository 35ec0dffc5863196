// Runs a check to a final result: the prober, retries with back-off, the check's configured
// provider and service, and whether the address changed since the check's previous run. Labels
// from the address are the labelling stage's (src/external/), applied to the result later.
import type { ProbeResult } from '../events.js';
import { probeCheck } from './prober-registry.js';
import type { Check, Prober } from './types.js';

export interface CheckRunnerOptions {
  /** The prober to use; tests and benchmarks may substitute their own. */
  prober?: Prober;
}

export type CheckRunner = (check: Check, signal: AbortSignal) => Promise<ProbeResult>;

export function createCheckRunner(options: CheckRunnerOptions = {}): CheckRunner {
  const prober = options.prober ?? probeCheck;
  const lastIp = new Map<string, string>();
  return async (check, signal) => {
    let result = await prober(check, signal);
    let attempts = 1;
    for (let backoff = check.retryBackoffMs; !result.ok && attempts <= check.retries && !signal.aborted; backoff *= 2) {
      await sleep(backoff, signal);
      if (signal.aborted) break;
      result = await prober(check, signal);
      attempts++;
    }
    result.attempts = attempts;
    if (result.ip !== undefined) {
      const previous = lastIp.get(check.name);
      if (previous !== undefined) result.ipChanged = previous !== result.ip;
      lastIp.set(check.name, result.ip);
    }
    if (check.provider !== undefined) result.provider = check.provider;
    if (check.service !== undefined) result.service = check.service;
    return result;
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
