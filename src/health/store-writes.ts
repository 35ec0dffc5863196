// The engine's writes to the store never stop its evaluation: a write that fails (disk full, a
// file that cannot be replaced) leaves its change in the store's memory, which retries it, and the
// tick goes on to evaluate, alert and publish. This records whether the store is writing, for
// /healthz, the page and the log (one line when writing stops, one when it resumes).
import type { EngineStore } from './engine-store.js';

export interface StoreWriteStatus {
  ok: boolean;
  /** When writes started failing (ms since the epoch). */
  failingSince?: number;
  /** The latest failure, one line. */
  lastError?: string;
}

export class StoreWrites {
  private failingSince: number | undefined;
  private lastError = '';

  constructor(private readonly now: () => number, private readonly log: (line: string) => void) {}

  /** Runs a write; a failure is recorded and logged once, never thrown. */
  async run(write: () => Promise<void>): Promise<void> {
    try {
      await write();
    } catch (err) {
      this.lastError = err instanceof Error ? err.message : String(err);
      if (this.failingSince === undefined) {
        this.failingSince = this.now();
        this.log(`${this.lastError}: monitoring goes on from memory; writes are retried and catch up when the store accepts them`);
      }
      return;
    }
    if (this.failingSince !== undefined) {
      this.log(`store: writing again after ${Math.round((this.now() - this.failingSince) / 1000)} s; what waited in memory is written`);
      this.failingSince = undefined;
    }
  }

  get failing(): boolean {
    return this.failingSince !== undefined;
  }

  status(): StoreWriteStatus {
    return this.failingSince === undefined ? { ok: true } : { ok: false, failingSince: this.failingSince, lastError: this.lastError };
  }
}

/** The store as the engine's parts see it: reads pass through, writes go through `writes`. */
export function guardedStore(store: EngineStore, writes: StoreWrites): EngineStore {
  return {
    mergeBuckets: (buckets) => writes.run(() => store.mergeBuckets(buckets)),
    queryBuckets: (q) => store.queryBuckets(q),
    prune: (now, retention) => writes.run(() => store.prune(now, retention)),
    putSnapshot: (snapshot) => store.putSnapshot(snapshot),
    listIncidents: (q) => store.listIncidents(q),
    putIncident: (incident) => writes.run(() => store.putIncident(incident)),
    listMaintenance: () => store.listMaintenance(),
    listSilences: () => store.listSilences(),
    getAlertState: () => store.getAlertState(),
    putAlertState: (state) => writes.run(() => store.putAlertState(state)),
    flushPending: () => writes.run(() => store.flushPending()),
  };
}
