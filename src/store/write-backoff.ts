// Retrying writes that fail (disk full, a file that cannot be replaced): after a failure the store
// waits before touching the disk again, twice as long each time up to five minutes, so a full disk
// costs one attempt per pause rather than one per change. Changes wait in memory meanwhile.
import { StoreError } from './store-error.js';

const FIRST_PAUSE_MS = 5_000;
const LONGEST_PAUSE_MS = 300_000;

export class WriteBackoff {
  private pauseMs = 0;
  private nextAttemptAt = 0;
  private lastFailure = '';

  constructor(private readonly now: () => number) {}

  /** Runs a write now, or throws at once (naming the last failure) while the store is pausing. */
  async attempt(write: () => Promise<void>): Promise<void> {
    const now = this.now();
    if (now < this.nextAttemptAt) {
      throw new StoreError(`${this.lastFailure}; next attempt in ${Math.ceil((this.nextAttemptAt - now) / 1000)} s`);
    }
    try {
      await write();
    } catch (err) {
      this.pauseMs = Math.min(LONGEST_PAUSE_MS, this.pauseMs ? this.pauseMs * 2 : FIRST_PAUSE_MS);
      this.nextAttemptAt = this.now() + this.pauseMs;
      this.lastFailure = err instanceof Error ? err.message : String(err);
      throw err;
    }
    this.pauseMs = 0;
    this.nextAttemptAt = 0;
  }
}
