// A map whose entries expire in bulk: writes go to the current generation, reads look in the
// current then the previous one, and rotating drops the previous generation whole. Entries live
// between one and two generation lengths. This avoids per-entry expiry, whose deletions leave
// holes that slow every later sweep of a large insertion-ordered Map.

export class GenerationalMap<V> {
  private current = new Map<string, V>();
  private previous = new Map<string, V>();
  private startedAt = -Infinity;

  constructor(private readonly generationMs: number) {}

  get(key: string): V | undefined {
    const v = this.current.get(key);
    return v !== undefined || this.previous.size === 0 ? v : this.previous.get(key);
  }

  set(key: string, value: V): void {
    this.current.set(key, value);
  }

  delete(key: string): void {
    this.current.delete(key);
    if (this.previous.size) this.previous.delete(key);
  }

  /** Entries in both generations (an upper bound of the distinct keys). */
  get size(): number {
    return this.current.size + this.previous.size;
  }

  /** Starts a new generation when the current one is old enough. */
  rotate(now: number): void {
    if (this.startedAt === -Infinity) this.startedAt = now;
    if (now - this.startedAt < this.generationMs) return;
    this.previous = this.current;
    this.current = new Map();
    this.startedAt = now;
  }
}
