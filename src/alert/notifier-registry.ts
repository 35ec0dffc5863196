// Builds the configured notifiers: the only place that maps a notifier type to its class.
import { AlertmanagerNotifier } from './alertmanager-notifier.js';
import type { NotificationSettings, NotifierSettings } from './notification-settings.js';
import type { Notifier } from './notifier.js';
import { SlackNotifier } from './slack-notifier.js';
import { WebhookNotifier } from './webhook-notifier.js';

export function createNotifier(n: NotifierSettings, settings: Pick<NotificationSettings, 'repeatIntervalMs'>): Notifier {
  const post = { url: n.url, headers: n.headers, timeoutMs: n.timeoutMs };
  switch (n.type) {
    case 'webhook': return new WebhookNotifier(post);
    case 'slack': return new SlackNotifier(post);
    case 'alertmanager': return new AlertmanagerNotifier({ ...post, firingTtlMs: Math.round(settings.repeatIntervalMs * 1.5) });
  }
}

export function createNotifiers(settings: NotificationSettings): Notifier[] {
  return settings.notifiers.map((n) => createNotifier(n, settings));
}
