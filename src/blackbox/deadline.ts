// A probe's own deadline combined with the caller's cancellation, as one AbortSignal.
import { DeadlineReached } from './probe-errors.js';

export interface Deadline {
  signal: AbortSignal;
  /** Clears the timer; call when the probe ends. */
  clear(): void;
}

/**
 * The deadlines following each caller's signal. One listener per caller signal serves all its
 * probes: a listener per probe would cost an EventTarget round trip each and, with many probes in
 * flight, trip Node's listener-leak warning.
 */
const followers = new WeakMap<AbortSignal, Set<AbortController>>();

function follow(outer: AbortSignal, controller: AbortController): void {
  let set = followers.get(outer);
  if (!set) {
    const created = new Set<AbortController>();
    followers.set(outer, (set = created));
    outer.addEventListener('abort', () => {
      for (const c of created) c.abort(outer.reason);
      created.clear();
    }, { once: true });
  }
  set.add(controller);
}

export function startDeadline(timeoutMs: number, outer: AbortSignal): Deadline {
  const controller = new AbortController();
  if (outer.aborted) controller.abort(outer.reason);
  else follow(outer, controller);
  const timer = setTimeout(() => controller.abort(new DeadlineReached(timeoutMs)), timeoutMs);
  return {
    signal: controller.signal,
    clear: () => {
      clearTimeout(timer);
      followers.get(outer)?.delete(controller);
    },
  };
}
