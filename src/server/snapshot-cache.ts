// Keeps one derived value (a rendered table, a serialised list) per health snapshot: the engine
// publishes a new snapshot object at each tick, so the snapshot's identity plus a small key (its
// time, and whatever else the value depends on) says exactly when to rebuild.

export class SnapshotCache<T> {
  private snapshot: object | undefined;
  private key = '';
  private value: T | undefined;

  /** True when the value for this snapshot and key is ready. */
  has(snapshot: object | undefined, key: string): boolean {
    return snapshot !== undefined && snapshot === this.snapshot && key === this.key && this.value !== undefined;
  }

  /** Stores a value built elsewhere (in slices, in the background). */
  put(snapshot: object, key: string, value: T): void {
    this.snapshot = snapshot;
    this.key = key;
    this.value = value;
  }

  /** The cached value for this snapshot and key, or a fresh one from `build`. */
  get(snapshot: object | undefined, key: string, build: () => T): T {
    if (this.has(snapshot, key)) return this.value as T;
    const value = build();
    // Without a snapshot there is nothing stable to key on: never cache.
    this.snapshot = snapshot;
    this.key = key;
    this.value = snapshot === undefined ? undefined : value;
    return value;
  }
}
