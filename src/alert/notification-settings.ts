// The notification stage's settings (from the `alerts:` section): grouping, repeats, retries and
// the receivers.

export interface NotifierSettings {
  type: 'webhook' | 'slack' | 'alertmanager';
  url: string;
  headers: Record<string, string>;
  /** Per request. */
  timeoutMs: number;
}

export interface NotificationSettings {
  /** Wait before sending a new group, to batch alerts that fire together. */
  groupWaitMs: number;
  /** Re-send a still-firing group this often. */
  repeatIntervalMs: number;
  /** Per notification, with doubling back-off from retryBackoffMs. */
  retries: number;
  retryBackoffMs: number;
  notifiers: NotifierSettings[];
}

export function defaultNotificationSettings(): NotificationSettings {
  return { groupWaitMs: 30_000, repeatIntervalMs: 4 * 3_600_000, retries: 5, retryBackoffMs: 1000, notifiers: [] };
}
