// End to end: an outage stream through the engine pages a webhook and a real Alertmanager, and recovery resolves both.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AlertmanagerNotifier } from '../../src/alert/alertmanager-notifier.js';
import { WebhookNotifier, type WebhookPayload } from '../../src/alert/webhook-notifier.js';
import { harness, MINUTE, minuteOfConnects, run } from '../health/scenario-helpers.js';
import { startAlertmanager } from './alertmanager-process.js';
import { startReceiver } from './http-receiver.js';

test('engine → webhook and Alertmanager: page on outage, resolve on recovery, no duplicates in between', async (t) => {
  const am = await startAlertmanager();
  t.after(() => am.stop());
  const rx = await startReceiver();
  t.after(() => rx.close());
  // Alertmanager judges startsAt and endsAt against its own clock, so the scenario (7 h 40 min) runs in the past.
  const start = Math.floor((Date.now() - 9 * 3_600_000) / MINUTE) * MINUTE;
  const h = await harness({
    start,
    alerts: { anomaly: { enabled: false, minEvents: 50, significance: 4, historyDays: 14 }, groupWaitMs: 2 * MINUTE },
    notifiers: [
      new WebhookNotifier({ url: rx.url, headers: {}, timeoutMs: 2000 }),
      new AlertmanagerNotifier({ url: am.url, headers: {}, timeoutMs: 2000, firingTtlMs: 12 * 3_600_000 }),
    ],
  });
  await run(h, 30, (ts) => [{ events: minuteOfConnects(3, ts, 300, 0) }], 5);
  await run(h, 10, (ts) => [{ events: minuteOfConnects(3, ts, 300, 200) }]);
  assert.equal(rx.received.length, 1, 'one notification for the group, after the group wait');
  const first = rx.received[0].body as WebhookPayload;
  assert.equal(first.groupKey, 'p3');
  assert.ok(first.alerts.some((a) => a.name === 'SloBurnRatePage'));
  assert.ok(first.incident?.id.startsWith('inc-'));
  type AmAlert = { labels: Record<string, string> };
  const listed = (await (await fetch(`${am.url}/api/v2/alerts`)).json()) as AmAlert[];
  assert.ok(listed.some((a) => a.labels.alertname === 'SloBurnRatePage' && a.labels.provider === 'p3'), JSON.stringify(listed));
  // Recovery: every alert resolves (the ticket's 6 h window too), each receiver hears it.
  await run(h, 7 * 60, (ts) => [{ events: minuteOfConnects(3, ts, 300, 0) }], 10);
  assert.deepEqual(h.engine.alerts(), []);
  const resolvedNames = rx.received.flatMap((r) => (r.body as WebhookPayload).alerts.filter((a) => a.status === 'resolved').map((a) => a.name));
  assert.ok(resolvedNames.includes('SloBurnRatePage'));
  assert.ok(resolvedNames.includes('SloBurnRateTicket'));
  // 48 ticks, but only news is sent: firing, resolves, at most one repeat of the long ticket.
  assert.ok(rx.received.length >= 2 && rx.received.length <= 5, `${rx.received.length} notifications`);
  const after = (await (await fetch(`${am.url}/api/v2/alerts`)).json()) as AmAlert[];
  assert.deepEqual(after.filter((a) => a.labels.provider === 'p3'), []);
  const incidents = await h.store.listIncidents();
  assert.equal(incidents[0].state, 'resolved');
});
