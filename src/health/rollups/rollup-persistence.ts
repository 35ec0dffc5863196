// Writes the engine's rollups to the store (each flush's minute buckets with their hour and day
// rollups, in one batch), prunes what is past retention, and reads back the recent history that
// rebuilds the SLO windows after a restart.
import type { EngineStore } from '../engine-store.js';
import type { RollupSettings } from '../engine-settings.js';
import { inScope, LEVEL_MS, type Bucket } from './bucket.js';
import { rollUp } from './rollup.js';

export class RollupPersistence {
  /** Buckets written since start (the run command's summary line reports it). */
  bucketsWritten = 0;
  private lastPrune = 0;

  constructor(private readonly store: EngineStore, private readonly retentionMs: RollupSettings['retentionMs']) {}

  /** One batch: the minute buckets and every hour and day bucket they roll up into. */
  async write(minutes: readonly Bucket[]): Promise<void> {
    const batch = [...minutes, ...rollUp(minutes, 'hour'), ...rollUp(minutes, 'day')];
    await this.store.mergeBuckets(batch);
    this.bucketsWritten += batch.length;
  }

  /** Drops buckets past retention, at most once an hour. */
  async pruneIfDue(now: number): Promise<void> {
    if (now - this.lastPrune < LEVEL_MS.hour) return;
    this.lastPrune = now;
    await this.store.prune(now, this.retentionMs);
  }

  /**
   * The history the SLO windows hold: minute buckets over the minute retention, and the hour
   * buckets of providers and endpoints over the hour retention (SLO windows reach 30 days).
   */
  async recentHistory(now: number): Promise<{ minutes: Bucket[]; hours: Bucket[] }> {
    const minutes = await this.store.queryBuckets({ level: 'minute', from: now - this.retentionMs.minute, to: now + LEVEL_MS.minute });
    const hours = (await this.store.queryBuckets({ level: 'hour', from: now - this.retentionMs.hour, to: now + LEVEL_MS.hour }))
      .filter((b) => inScope(b.key, 'provider') || inScope(b.key, 'endpoint'));
    return { minutes, hours };
  }
}
