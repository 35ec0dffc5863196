// The clock every stage reads (time now, sleeps, timers), injected so tests can drive time by hand.
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after ms (retry back-off); a test clock may resolve at once. */
  sleep(ms: number): Promise<void>;
}

declare const timerBrand: unique symbol;
/** A timer armed on a clock; opaque, and only the clock that armed it can clear it. */
export type TimerHandle = { readonly [timerBrand]: true };

/** A clock that can also call back later, for stages that run things at set times (the check scheduler). */
export interface TimerClock extends Clock {
  /** Calls `callback` once, `ms` from now (as the global setTimeout does). */
  setTimeout(callback: () => void, ms: number): TimerHandle;
  /** Cancels a timer that has not fired yet; clearing one that has fired does nothing. */
  clearTimeout(handle: TimerHandle): void;
}

export const systemClock: TimerClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  setTimeout: (callback, ms) => setTimeout(callback, ms) as unknown as TimerHandle,
  clearTimeout: (handle) => clearTimeout(handle as unknown as NodeJS.Timeout),
};

interface ManualTimer {
  at: number;
  /** Arming order, so timers due at the same time fire in the order they were armed. */
  seq: number;
  callback: () => void;
}

/**
 * A clock that only moves when told to. Moving it forward (set, advance, sleep) fires the timers
 * that come due on the way, in time order, each with the clock at its due time; timers those
 * callbacks arm fire too if they fall within the move. Callbacks run synchronously: whatever they
 * start asynchronously continues once the caller yields.
 */
export class ManualClock implements TimerClock {
  private readonly timers = new Set<ManualTimer>();
  private seq = 0;

  constructor(private t: number) {}

  now(): number {
    return this.t;
  }

  /** Moves the clock to t; moving it back fires nothing. */
  set(t: number): void {
    for (let timer = this.nextDue(t); timer; timer = this.nextDue(t)) {
      this.timers.delete(timer);
      this.t = Math.max(this.t, timer.at);
      timer.callback();
    }
    this.t = t;
  }

  advance(ms: number): void {
    this.set(this.t + ms);
  }

  async sleep(ms: number): Promise<void> {
    this.advance(ms);
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const timer: ManualTimer = { at: this.t + Math.max(0, ms), seq: this.seq++, callback };
    this.timers.add(timer);
    return timer as unknown as TimerHandle;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle as unknown as ManualTimer);
  }

  /** When the earliest armed timer is due (epoch ms), or undefined when none is armed. */
  nextTimerAt(): number | undefined {
    return this.nextDue(Number.POSITIVE_INFINITY)?.at;
  }

  /** The earliest timer due at or before `until`. */
  private nextDue(until: number): ManualTimer | undefined {
    let first: ManualTimer | undefined;
    for (const timer of this.timers) {
      if (timer.at <= until && (!first || timer.at < first.at || (timer.at === first.at && timer.seq < first.seq))) first = timer;
    }
    return first;
  }
}
