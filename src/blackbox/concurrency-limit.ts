// A counting semaphore: at most `limit` probes in flight across all checks.
export class ConcurrencyLimit {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly limit: number) {}

  /** Resolves when a slot is free; the caller must call release() once done. */
  acquire(): Promise<void> {
    if (this.active < this.limit) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(() => { this.active++; resolve(); }));
  }

  release(): void {
    this.active--;
    this.waiting.shift()?.();
  }

  get inFlight(): number {
    return this.active;
  }
}
