// A probe's own deadline combined with the caller's cancellation, as one AbortSignal.
import { DeadlineReached } from './probe-errors.js';

export interface Deadline {
  signal: AbortSignal;
  /** Clears the timer; call when the probe ends. */
  clear(): void;
}

export function startDeadline(timeoutMs: number, outer: AbortSignal): Deadline {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DeadlineReached(timeoutMs)), timeoutMs);
  const onOuter = () => controller.abort(outer.reason);
  if (outer.aborted) onOuter();
  else outer.addEventListener('abort', onOuter, { once: true });
  return {
    signal: controller.signal,
    clear: () => {
      clearTimeout(timer);
      outer.removeEventListener('abort', onOuter);
    },
  };
}
