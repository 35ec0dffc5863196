// Gives the event loop a turn during long synchronous work: the engine's tick and the store's
// writes call yieldIfDue() between items, so an HTTP request that arrives during a tick
// waits at most about one slice, not the whole tick.
import { performance } from 'node:perf_hooks';

/**
 * Default slice: a yield costs tens of µs, so 3 ms slices add about 1 % to a tick, and a request
 * arriving during one waits at most that long (the provider list's budget is 10 ms).
 */
export const DEFAULT_SLICE_MS = 3;

export class TimeSlicer {
  private sliceStart = performance.now();
  private watching = false;

  constructor(private readonly sliceMs = DEFAULT_SLICE_MS) {
    this.watch();
  }

  /**
   * A slice ends whenever the event loop turns, also when the work awaited I/O on its own: an
   * immediate marks that moment, so time spent waiting for a file is not counted as blocking.
   */
  private watch(): void {
    if (this.watching) return;
    this.watching = true;
    setImmediate(() => {
      this.watching = false;
      this.sliceStart = performance.now();
    });
  }

  /** Yields to the event loop (setImmediate: pending I/O such as requests runs first) once the slice is used up. */
  async yieldIfDue(): Promise<void> {
    if (performance.now() - this.sliceStart < this.sliceMs) {
      this.watch();
      return;
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.sliceStart = performance.now();
  }
}
