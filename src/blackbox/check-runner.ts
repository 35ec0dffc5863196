// Runs a check to a final result: the prober, retries with back-off, endpoint labels, and
// whether the address changed since the check's previous run.
import type { ProbeResult } from '../events.js';
import { probeCheck } from './prober-registry.js';
import type { Check, EndpointLabels, ProbeLabeler, Prober } from './types.js';

export interface CheckRunnerOptions {
  /** Labels for the address a probe reached, when the check sets none (e.g. src/external/). */
  labeler?: ProbeLabeler;
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
    label(result, check, options.labeler);
    return result;
  };
}

function label(result: ProbeResult, check: Check, labeler: ProbeLabeler | undefined): void {
  let found: EndpointLabels | undefined = check.provider === undefined || check.service === undefined ? undefined : {};
  if (!found && labeler && result.ip !== undefined) {
    try {
      found = labeler(result.ip, hostOf(check));
    } catch {
      found = undefined; // a labelling fault must not lose the probe result
    }
  }
  const provider = check.provider ?? found?.provider;
  const service = check.service ?? found?.service;
  if (provider !== undefined) result.provider = provider;
  if (service !== undefined) result.service = service;
}

function hostOf(check: Check): string | undefined {
  switch (check.type) {
    case 'http': return new URL(check.url).hostname;
    case 'dns': return undefined;
    default: return check.target.host;
  }
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
