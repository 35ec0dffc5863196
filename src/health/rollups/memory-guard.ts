// Keeps the agent under its memory limit: above 80 % of it the engine sheds detail (no new series
// of their own, idle ones forgotten after minutes), and below 70 % it stops shedding. Data it has
// promised to keep (the store's history, the series it already has) is never dropped for this.
const SHED_ABOVE = 0.8;
const RECOVER_BELOW = 0.7;

export interface MemoryState {
  /** Resident memory at the last check, bytes. */
  rssBytes: number;
  limitBytes: number;
  shedding: boolean;
}

export class MemoryGuard {
  private state: MemoryState;

  constructor(limitBytes: number, private readonly rss: () => number = () => process.memoryUsage.rss()) {
    this.state = { rssBytes: 0, limitBytes, shedding: false };
  }

  /** Reads the memory in use and decides whether to shed; returns the new state. */
  check(): MemoryState {
    const rssBytes = this.rss();
    const { limitBytes } = this.state;
    let shedding = this.state.shedding;
    if (!shedding && rssBytes > SHED_ABOVE * limitBytes) shedding = true;
    else if (shedding && rssBytes < RECOVER_BELOW * limitBytes) shedding = false;
    this.state = { rssBytes, limitBytes, shedding };
    return this.state;
  }

  get current(): MemoryState {
    return this.state;
  }
}
