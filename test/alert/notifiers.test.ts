// Notifiers against real receivers on loopback: generic webhook, Slack-compatible webhook, and a real Alertmanager.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AlertmanagerNotifier } from '../../src/alert/alertmanager-notifier.js';
import { NotificationDispatcher } from '../../src/alert/dispatcher.js';
import { SlackNotifier } from '../../src/alert/slack-notifier.js';
import { WebhookNotifier, type WebhookPayload } from '../../src/alert/webhook-notifier.js';
import { ManualClock, systemClock } from '../../src/clock.js';
import type { Alert } from '../../src/health/alerts/alert.js';
import { startAlertmanager } from './alertmanager-process.js';
import { startReceiver } from './http-receiver.js';

const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);

function alert(fp: string, provider: string, state: 'firing' | 'resolved' = 'firing', over: Partial<Alert> = {}): Alert {
  return {
    fingerprint: fp, name: 'SloBurnRatePage', severity: 'page', state, providerId: provider, endpointId: null,
    summary: `availability SLO of ${provider} burns 15x`, labels: { slo: 'availability' }, values: { longBurnRate: 15 },
    attribution: { scope: 'provider', targets: [provider], reason: `${provider} fails from every host` },
    startsAt: T0, endsAt: state === 'resolved' ? T0 + 600_000 : null, lastSeenAt: T0, ...over,
  };
}

const post = (url: string) => ({ url, headers: { authorization: 'Bearer t0ken' }, timeoutMs: 2000 });

test('webhook: grouping, de-duplication, repeat, resolve notifications, retries with back-off', async (t) => {
  const rx = await startReceiver({ failFirst: 2 });
  t.after(() => rx.close());
  const clock = new ManualClock(T0);
  const lines: string[] = [];
  const d = new NotificationDispatcher([new WebhookNotifier(post(rx.url))], { groupWaitMs: 30_000, repeatIntervalMs: 3_600_000, retries: 3, retryBackoffMs: 1000 }, clock, (l) => lines.push(l));
  const a1 = alert('slo|aws|availability|page', 'aws');
  const a2 = alert('slo|aws|latency|ticket', 'aws', 'firing', { name: 'SloBurnRateTicket', severity: 'ticket' });
  d.update([], [a1], T0);
  await d.tick(T0 + 10_000);
  assert.equal(rx.received.length, 0, 'group wait holds the first alert back');
  d.update([], [a1, a2], T0 + 20_000);
  const before = clock.now();
  await d.tick(T0 + 30_000);
  assert.equal(rx.received.length, 1, 'both alerts go out in one notification');
  assert.equal(rx.failed, 2, 'two 503 answers were retried');
  assert.equal(clock.now() - before, 1000 + 2000, 'back-off doubles: 1 s then 2 s');
  const body = rx.received[0].body as WebhookPayload;
  assert.equal(body.groupKey, 'aws');
  assert.equal(body.status, 'firing');
  assert.deepEqual(body.alerts.map((a) => a.fingerprint).sort(), [a1.fingerprint, a2.fingerprint].sort());
  assert.equal(rx.received[0].headers.authorization, 'Bearer t0ken');
  // Same alerts again: nothing new to say until the repeat interval.
  d.update([], [a1, a2], T0 + 60_000);
  await d.tick(T0 + 120_000);
  assert.equal(rx.received.length, 1, 'no duplicate notification');
  await d.tick(T0 + 30_000 + 3_600_000);
  assert.equal(rx.received.length, 2, 'repeat after the repeat interval');
  // a2 resolves: a resolve notification names it.
  d.update([{ ...a2, state: 'resolved', endsAt: T0 + 4_000_000 }], [a1], T0 + 4_000_000);
  await d.tick(T0 + 4_100_000);
  const last = rx.received.at(-1)?.body as WebhookPayload;
  assert.deepEqual(last.alerts.map((a) => [a.fingerprint, a.status]), [[a1.fingerprint, 'firing'], [a2.fingerprint, 'resolved']]);
  assert.equal(d.counters.retries, 2);
  assert.deepEqual(lines, []);
});

test('webhook: a receiver that rejects the payload (HTTP 400) is not retried, and the failure is one clear line', async (t) => {
  const rx = await startReceiver({ failFirst: 10, failStatus: 400 });
  t.after(() => rx.close());
  const lines: string[] = [];
  const d = new NotificationDispatcher([new WebhookNotifier(post(rx.url))], { groupWaitMs: 0, repeatIntervalMs: 3_600_000, retries: 3, retryBackoffMs: 1 }, new ManualClock(T0), (l) => lines.push(l));
  d.update([], [alert('x', 'gcp')], T0);
  await d.tick(T0);
  assert.equal(rx.failed, 1);
  assert.equal(lines.length, 1);
  assert.match(lines[0], /^alert: webhook http:\/\/127\.0\.0\.1:\d+\/…: giving up on group gcp after 1 attempt: POST .* answered HTTP 400: try later <script>x<\/script>$/);
  assert.ok(!lines[0].includes('\n'));
});

test('slack: text and blocks, with names from the network escaped', async (t) => {
  const rx = await startReceiver();
  t.after(() => rx.close());
  const d = new NotificationDispatcher([new SlackNotifier(post(rx.url))], { groupWaitMs: 0, repeatIntervalMs: 3_600_000, retries: 0, retryBackoffMs: 1 }, new ManualClock(T0));
  d.update([], [alert('s1', 'evil<@here>&co', 'firing', { summary: 'name <https://x.example|click> failing' })], T0);
  await d.tick(T0);
  const body = rx.received[0].body as { text: string; blocks: Array<{ type: string }> };
  assert.match(body.text, /^\[FIRING:1\] evil&lt;@here&gt;&amp;co\n:rotating_light: \*SloBurnRatePage\* name &lt;https:\/\/x\.example\|click&gt; failing/);
  assert.ok(!body.text.includes('<'));
  assert.deepEqual(body.blocks.map((b) => b.type), ['header', 'section']);
});

test('alertmanager: alerts posted to /api/v2/alerts show up in a real Alertmanager, and resolve', async (t) => {
  const am = await startAlertmanager();
  t.after(() => am.stop());
  const now = Date.now();
  const notifier = new AlertmanagerNotifier({ url: am.url, headers: {}, timeoutMs: 5000, firingTtlMs: 3_600_000 });
  const d = new NotificationDispatcher([notifier], { groupWaitMs: 0, repeatIntervalMs: 3_600_000, retries: 2, retryBackoffMs: 100 }, systemClock);
  const a = alert('slo|stripe|availability|page', 'stripe', 'firing', { startsAt: now - 60_000, lastSeenAt: now, labels: { slo: 'availability', 'long-window': '1h' } });
  d.update([], [a], now);
  await d.tick(now);
  assert.equal(d.counters.delivered, 1);
  type AmAlert = { labels: Record<string, string>; annotations: Record<string, string>; status: { state: string }; endsAt: string };
  const list = (await (await fetch(`${am.url}/api/v2/alerts`)).json()) as AmAlert[];
  assert.equal(list.length, 1);
  assert.deepEqual(
    { alertname: list[0].labels.alertname, severity: list[0].labels.severity, provider: list[0].labels.provider, slo: list[0].labels.slo, window: list[0].labels.long_window },
    { alertname: 'SloBurnRatePage', severity: 'page', provider: 'stripe', slo: 'availability', window: '1h' },
  );
  assert.equal(list[0].annotations.attribution, 'provider');
  assert.equal(list[0].status.state, 'active');
  // Resolve: Alertmanager stops listing it as active once endsAt has passed.
  const end = Date.now();
  d.update([{ ...a, state: 'resolved', endsAt: end }], [], end);
  await d.tick(end);
  assert.equal(d.counters.delivered, 2);
  const after = (await (await fetch(`${am.url}/api/v2/alerts`)).json()) as AmAlert[];
  assert.deepEqual(after.filter((x) => x.labels.provider === 'stripe'), [], 'resolved: Alertmanager no longer lists it');
});
