// The alerting stage: consumes each engine tick's result (alerts fired, resolved and still firing,
// open incidents) and notifies the configured receivers through the dispatcher (grouping,
// de-duplication, repeats, retries). Ticks are handled in order, one after the other; a slow or
// failing receiver delays later notifications, never the engine's next tick.
import { systemClock, type Clock } from '../clock.js';
import type { TickResult } from '../health/reliability-engine.js';
import { NotificationDispatcher, type DispatchCounters } from './dispatcher.js';
import type { NotificationSettings } from './notification-settings.js';
import { createNotifiers } from './notifier-registry.js';
import type { Notifier } from './notifier.js';

export interface AlertingStageOptions {
  settings: NotificationSettings;
  /** Defaults to the notifiers of the settings. */
  notifiers?: readonly Notifier[];
  clock?: Clock;
  /** Receives one-line messages (a receiver given up on). */
  log?: (line: string) => void;
}

export class AlertingStage {
  private readonly dispatcher: NotificationDispatcher;
  private queue: Promise<void> = Promise.resolve();

  constructor(opts: AlertingStageOptions) {
    const s = opts.settings;
    this.dispatcher = new NotificationDispatcher(
      opts.notifiers ?? createNotifiers(s),
      { groupWaitMs: s.groupWaitMs, repeatIntervalMs: s.repeatIntervalMs, retries: s.retries, retryBackoffMs: s.retryBackoffMs },
      opts.clock ?? systemClock,
      opts.log,
    );
  }

  /** Takes one tick's result; resolves once everything due at that tick was delivered or given up. */
  consume(result: TickResult): Promise<void> {
    this.queue = this.queue.then(async () => {
      this.dispatcher.update(result.resolved, result.active, result.at);
      await this.dispatcher.tick(result.at, (groupKey) => result.openIncidents.find((i) => i.providerId === groupKey) ?? null);
    });
    return this.queue;
  }

  get counters(): DispatchCounters {
    return this.dispatcher.counters;
  }

  /** Waits for the deliveries under way. */
  async close(): Promise<void> {
    await this.queue;
  }
}
