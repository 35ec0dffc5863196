// Sends alert groups to every notifier: grouping, de-duplication, resolve notifications, repeats, retries with back-off.
//
// Alerts are grouped by groupKeyOf() (the provider, or "local"). A group is sent when it has news
// (an alert that was not sent yet, or resolved alerts) and its first news is groupWait old, so
// alerts that fire together go out together; a group still firing is sent again every
// repeatInterval. Each notifier is retried on its own with doubling back-off; one failing
// receiver never holds the others back.
import type { Clock } from '../clock.js';
import type { Alert } from '../health/alerts/alert.js';
import type { Incident } from '../health/alerts/incident.js';
import { groupKeyOf } from '../health/alerts/alert-book.js';
import { NotificationError, type NotificationBatch, type Notifier } from './notifier.js';

export interface DispatchOptions {
  groupWaitMs: number;
  repeatIntervalMs: number;
  retries: number;
  retryBackoffMs: number;
}

interface GroupState {
  firing: Map<string, Alert>;
  resolved: Alert[];
  newsSince: number | null;
  lastSentAt: number | null;
}

export interface DispatchCounters {
  batches: number;
  delivered: number;
  failed: number;
  retries: number;
}

export class NotificationDispatcher {
  private readonly groups = new Map<string, GroupState>();
  /** Group in which each firing alert was last notified. */
  private readonly sentIn = new Map<string, string>();
  readonly counters: DispatchCounters = { batches: 0, delivered: 0, failed: 0, retries: 0 };

  constructor(
    private readonly notifiers: readonly Notifier[],
    private readonly opts: DispatchOptions,
    private readonly clock: Clock,
    private readonly log: (line: string) => void = () => {},
  ) {}

  private group(key: string): GroupState {
    let g = this.groups.get(key);
    if (!g) {
      g = { firing: new Map(), resolved: [], newsSince: null, lastSentAt: null };
      this.groups.set(key, g);
    }
    return g;
  }

  /** Records what the alert book decided at one evaluation (`active`: every alert firing now). */
  update(resolved: readonly Alert[], active: readonly Alert[], now: number): void {
    for (const g of this.groups.values()) g.firing.clear();
    for (const a of active) {
      const key = groupKeyOf(a);
      const g = this.group(key);
      g.firing.set(a.fingerprint, a);
      // News: never sent, or sent within another group (its attribution changed).
      if (this.sentIn.get(a.fingerprint) !== key) g.newsSince ??= now;
    }
    for (const a of resolved) {
      const key = this.sentIn.get(a.fingerprint);
      // Only receivers that heard of the alert need to hear it resolve.
      if (key === undefined) continue;
      this.sentIn.delete(a.fingerprint);
      const g = this.group(key);
      g.resolved.push(a);
      g.newsSince ??= now;
    }
    for (const [key, g] of this.groups) if (g.firing.size === 0 && g.resolved.length === 0) this.groups.delete(key);
  }

  /** Sends every group that is due; resolves when all deliveries (with retries) finished. */
  async tick(now: number, incidentOf: (groupKey: string) => Incident | null = () => null): Promise<void> {
    const due: NotificationBatch[] = [];
    for (const [key, g] of this.groups) {
      const hasNews = g.newsSince !== null && now - g.newsSince >= this.opts.groupWaitMs;
      const repeat = g.firing.size > 0 && g.lastSentAt !== null && now - g.lastSentAt >= this.opts.repeatIntervalMs;
      if (!hasNews && !repeat) continue;
      due.push({ groupKey: key, firing: [...g.firing.values()], resolved: g.resolved.slice(), incident: incidentOf(key), at: now });
      for (const fp of g.firing.keys()) this.sentIn.set(fp, key);
      g.resolved = [];
      g.newsSince = null;
      g.lastSentAt = now;
      if (g.firing.size === 0) this.groups.delete(key);
    }
    await Promise.all(due.flatMap((batch) => this.notifiers.map((n) => this.deliver(n, batch))));
  }

  private async deliver(notifier: Notifier, batch: NotificationBatch): Promise<void> {
    this.counters.batches++;
    for (let attempt = 0; ; attempt++) {
      try {
        await notifier.send(batch);
        this.counters.delivered++;
        return;
      } catch (err) {
        const retryable = err instanceof NotificationError ? err.retryable : true;
        const message = err instanceof Error ? err.message : String(err);
        if (!retryable || attempt >= this.opts.retries) {
          this.counters.failed++;
          this.log(`alert: ${notifier.description}: giving up on group ${batch.groupKey} after ${attempt + 1} attempt${attempt ? 's' : ''}: ${message}`);
          return;
        }
        this.counters.retries++;
        await this.clock.sleep(this.opts.retryBackoffMs * 2 ** attempt);
      }
    }
  }
}
