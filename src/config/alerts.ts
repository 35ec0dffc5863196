// The `alerts:` section: burn-rate alerting, anomaly detection, attribution and notifiers.
//
//   alerts:
//     minEventsPerHour: 60      # volume guard: below this rate a provider never pages
//     burnRates:                # the SRE workbook's multiwindow, multi-burn-rate alerts (defaults shown)
//       - {severity: page, factor: 14.4, long: 1h, short: 5m}
//       - {severity: page, factor: 6, long: 6h, short: 30m}
//       - {severity: ticket, factor: 1, long: 3d, short: 6h}
//     anomaly: {enabled: true, minEvents: 50, significance: 4, historyDays: 14}
//     attribution: {localMinProviders: 3}
//     groupWait: 30s            # wait before sending a new group, to batch alerts that fire together
//     repeatInterval: 4h        # re-send a still-firing alert this often
//     retries: 5                # per notification, with doubling back-off from retryBackoff
//     retryBackoff: 1s
//     notifiers:
//       - {type: webhook, url: "https://hooks.example.com/x", headers: {Authorization: "Bearer …"}}
//       - {type: slack, url: "https://hooks.slack.com/services/…"}
//       - {type: alertmanager, url: "http://127.0.0.1:9093"}
import { defaultNotificationSettings, type NotificationSettings, type NotifierSettings } from '../alert/notification-settings.js';
import { defaultAlertRuleSettings, type AlertRuleSettings, type BurnRateRule } from '../health/engine-settings.js';
import type { ConfigValue } from './config-value.js';
import { defineSection } from './section.js';

/** The whole section: the engine's rules and the notification stage's settings. */
export type AlertSettings = AlertRuleSettings & NotificationSettings;

export function defaultAlertSettings(): AlertSettings {
  return { ...defaultAlertRuleSettings(), ...defaultNotificationSettings() };
}

export const alertsSection = defineSection({
  key: 'alerts',
  defaultValue: defaultAlertSettings,
  validate: (value: ConfigValue): AlertSettings => {
    const d = defaultAlertSettings();
    const o = value.object(['minEventsPerHour', 'burnRates', 'anomaly', 'attribution', 'groupWait', 'repeatInterval', 'retries', 'retryBackoff', 'notifiers']);
    const burnRates = o.optional('burnRates')?.list().map((item) => {
      const b = item.object(['severity', 'factor', 'long', 'short']);
      const rule: BurnRateRule = {
        severity: b.get('severity').oneOf(['page', 'ticket'] as const),
        factor: b.get('factor').number({ min: 0.1, max: 1000 }),
        longMs: b.get('long').durationMs({ minMs: 60_000 }),
        shortMs: b.get('short').durationMs({ minMs: 60_000 }),
      };
      if (rule.shortMs >= rule.longMs) b.get('short').fail('must be shorter than long');
      return rule;
    }) ?? d.burnRates;
    const a = o.optional('anomaly')?.object(['enabled', 'minEvents', 'significance', 'historyDays']);
    const at = o.optional('attribution')?.object(['localMinProviders']);
    return {
      minEventsPerHour: o.optional('minEventsPerHour')?.number({ min: 0 }) ?? d.minEventsPerHour,
      burnRates,
      anomaly: {
        enabled: a?.optional('enabled')?.boolean() ?? d.anomaly.enabled,
        minEvents: a?.optional('minEvents')?.number({ min: 1, integer: true }) ?? d.anomaly.minEvents,
        significance: a?.optional('significance')?.number({ min: 1, max: 100 }) ?? d.anomaly.significance,
        historyDays: a?.optional('historyDays')?.number({ min: 2, max: 35, integer: true }) ?? d.anomaly.historyDays,
      },
      attribution: { localMinProviders: at?.optional('localMinProviders')?.number({ min: 2, max: 100, integer: true }) ?? d.attribution.localMinProviders },
      groupWaitMs: o.optional('groupWait')?.durationMs({ maxMs: 3_600_000 }) ?? d.groupWaitMs,
      repeatIntervalMs: o.optional('repeatInterval')?.durationMs({ minMs: 60_000 }) ?? d.repeatIntervalMs,
      retries: o.optional('retries')?.number({ min: 0, max: 20, integer: true }) ?? d.retries,
      retryBackoffMs: o.optional('retryBackoff')?.durationMs({ minMs: 10, maxMs: 600_000 }) ?? d.retryBackoffMs,
      notifiers: o.optional('notifiers')?.list().map(readNotifier) ?? [],
    };
  },
});

function readNotifier(item: ConfigValue): NotifierSettings {
  const o = item.object(['type', 'url', 'headers', 'timeout']);
  const type = o.get('type').oneOf(['webhook', 'slack', 'alertmanager'] as const);
  const url = o.get('url').url(['http:', 'https:']).toString();
  const headers = o.optional('headers')?.stringMap() ?? {};
  return { type, url, headers, timeoutMs: o.optional('timeout')?.durationMs({ minMs: 100, maxMs: 60_000 }) ?? 5000 };
}
