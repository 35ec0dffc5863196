// The one interface every notifier implements (generic webhook, Slack, Alertmanager), one file each.
import type { Alert } from '../health/alerts/alert.js';
import type { Incident } from '../health/alerts/incident.js';

/** What one notification carries: the alerts of one group that changed or are due again. */
export interface NotificationBatch {
  /** Grouping key (the provider, or "local"), stable across notifications. */
  groupKey: string;
  /** Firing alerts of the group (all of them, so a receiver sees the whole picture). */
  firing: Alert[];
  /** Alerts resolved since the last notification of the group. */
  resolved: Alert[];
  /** The open incident of the group, when any. */
  incident: Incident | null;
  /** Notification time, ms since the epoch. */
  at: number;
}

export interface Notifier {
  /** For logs and counters, e.g. "slack https://hooks.slack.com/…" (without secrets). */
  readonly description: string;
  /**
   * Delivers one batch; rejects with NotificationError when the receiver does not accept it.
   * `retryable` false means retrying cannot help (e.g. HTTP 400), so the dispatcher gives up.
   */
  send(batch: NotificationBatch): Promise<void>;
}

export class NotificationError extends Error {
  constructor(message: string, readonly retryable: boolean) {
    super(message);
    this.name = 'NotificationError';
  }
}
