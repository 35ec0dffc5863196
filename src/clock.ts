// The clock every stage reads (time now, sleeps), injected so tests can drive time by hand.
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after ms (retry back-off); a test clock may resolve at once. */
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** A clock that only moves when told to: sleep advances it instead of waiting. */
export class ManualClock implements Clock {
  constructor(private t: number) {}
  now(): number {
    return this.t;
  }
  set(t: number): void {
    this.t = t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
  async sleep(ms: number): Promise<void> {
    this.t += ms;
  }
}
