// Scenario streams through the whole pipeline with a manual clock: which alerts fire, when, and which do not.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { budgetBar } from '../../src/server/pages/components.js';
import type { ProbeResult } from '../../src/events.js';
import { firedAlerts, harness, HOUR, labelOf, MINUTE, minuteOfConnects, run, T0 } from './scenario-helpers.js';

test('clean traffic (failures well inside the SLO) fires no alert over 8 hours', async () => {
  const h = await harness();
  // 0.05 % failures: half the 0.1 % budget; latency with a little noise.
  await run(h, 8 * 60, (t) => [1, 2, 3].map((n) => ({ events: minuteOfConnects(n, t, 200, (t / MINUTE) % 10 === n ? 1 : 0, (i) => 18 + (i % 5)) })));
  assert.deepEqual(firedAlerts(h, 0), []);
  const snap = h.ticks.at(-1)?.snapshot;
  assert.ok(snap);
  assert.equal(snap.overall, 'operational');
  assert.deepEqual(snap.providers.map((p) => p.id), ['p1', 'p2', 'p3']);
  for (const p of snap.providers) {
    assert.equal(p.state, 'operational');
    assert.deepEqual(p.score.components.map((c) => c.name), ['success', 'latency', 'budget', 'stability']);
    // 0.05 % failures spend half of the 0.1 % budget: the budget term shows it, the others are near perfect.
    const budget = p.score.components.find((c) => c.name === 'budget');
    assert.ok(budget && budget.value > 0.4 && budget.value < 0.6, `budget term ${budget?.value}`);
    assert.ok(p.score.score > 85 && p.score.score < 95, `score ${p.score.score}`);
    assert.equal(p.score.score, Math.round(p.score.components.reduce((s, c) => s + c.value * c.weight * 100, 0) * 10) / 10);
    assert.ok(p.errorBudgetRemaining !== null && p.errorBudgetRemaining > 0.4);
  }
});

test('a burn rate of 15x over an hour pages; 5x over the same hour does not', async () => {
  for (const [factor, failedPerMinute] of [[15, 3], [5, 1]] as const) {
    const h = await harness();
    await run(h, 6 * 60, (t) => [{ events: minuteOfConnects(1, t, 200, 0) }], 5);
    const start = h.clock.now();
    // 200 calls a minute; 3 failures = 1.5 % = 15 × the 0.1 % budget; 1 failure = 5 ×.
    await run(h, 60, (t) => [{ events: minuteOfConnects(1, t, 200, failedPerMinute) }]);
    const fired = firedAlerts(h, start);
    if (factor === 15) {
      const page = fired.find((a) => a.name === 'SloBurnRatePage');
      assert.ok(page, `15x must page; fired: ${JSON.stringify(fired)}`);
      // The 1 h window reaches 14.4x once 96 % of it is bad: minute 58.
      assert.ok(page.minute >= 55 && page.minute <= 60, `paged at minute ${page.minute}`);
      assert.equal(page.provider, 'p1');
      assert.equal(page.scope, 'provider');
      const alert = h.engine.alerts().find((a) => a.name === 'SloBurnRatePage');
      assert.ok(alert && alert.values.longBurnRate >= 14.4 && alert.values.shortBurnRate >= 14.4);
    } else {
      assert.deepEqual(fired.filter((a) => a.name.startsWith('SloBurnRate')), [], '5x must not page or ticket within the hour');
    }
  }
});

test('the 6x rule pages over 6 hours of 7x burn, and recovery resolves the alert', async () => {
  const h = await harness({ alerts: { anomaly: { enabled: false, minEvents: 50, significance: 4, historyDays: 14 } } });
  await run(h, 60, (t) => [{ events: minuteOfConnects(1, t, 1000, 0) }], 5);
  const start = h.clock.now();
  // 7 failures in 1000 = 0.7 % = 7x.
  await run(h, 6 * 60, (t) => [{ events: minuteOfConnects(1, t, 1000, 7) }], 5);
  const page = firedAlerts(h, start).find((a) => a.name === 'SloBurnRatePage');
  assert.ok(page, 'pages');
  // 6h window at 7x crosses 6x after 6/7 of 6 h ≈ 5.1 h.
  assert.ok(page.minute >= 300 && page.minute <= 315, `paged at minute ${page.minute}`);
  // Three clean minutes: the page still fires (its short window is 30 minutes), but the provider
  // reads as recovering (degraded), not as an outage.
  await run(h, 3, (t) => [{ events: minuteOfConnects(1, t, 1000, 0) }], 1);
  assert.ok(h.engine.alerts().some((a) => a.name === 'SloBurnRatePage'));
  assert.equal(h.ticks.at(-1)!.snapshot.providers.find((p) => p.id === 'p1')!.state, 'degraded');
  await run(h, 40, (t) => [{ events: minuteOfConnects(1, t, 1000, 0) }], 5);
  const resolved = h.ticks.flatMap((t) => t.resolved).find((a) => a.name === 'SloBurnRatePage');
  assert.ok(resolved, 'the page resolves once the short window is clean');
  // The ticket rule (1x over 3 d and 6 h) keeps firing until its 6 h short window is clean again.
  assert.ok(h.engine.alerts().some((a) => a.name === 'SloBurnRateTicket'));
  assert.equal((await h.store.listIncidents({ state: 'open' })).length, 1);
  await run(h, 6 * 60, (t) => [{ events: minuteOfConnects(1, t, 1000, 0) }], 15);
  assert.deepEqual(h.engine.alerts(), []);
  const incidents = await h.store.listIncidents();
  assert.equal(incidents.length, 1);
  assert.equal(incidents[0].state, 'resolved');
  const kinds = incidents[0].timeline.map((e) => e.kind).filter((k) => k !== 'evidence');
  assert.equal(kinds[0], 'opened');
  assert.equal(kinds.at(-1), 'resolved');
  assert.equal(kinds.filter((k) => k === 'alert_firing').length, kinds.filter((k) => k === 'alert_resolved').length);
});

test('minimum-volume guard: a provider called twice an hour never pages, even when every call fails', async () => {
  const h = await harness();
  await run(h, 3 * 60, (t) => [{ events: (t / MINUTE) % 30 === 0 ? minuteOfConnects(1, t, 1, 1) : [] }], 5);
  assert.deepEqual(firedAlerts(h, 0), []);
});

test('a provider whose last 2-3 minutes succeed reads as recovering, not as the outage its 5-minute window still holds', async () => {
  const h = await harness({ alerts: { anomaly: { enabled: false, minEvents: 50, significance: 4, historyDays: 14 } } });
  const state = () => h.ticks.at(-1)!.snapshot.providers.find((p) => p.id === 'p1')!.state;
  await run(h, 10, (t) => [{ events: minuteOfConnects(1, t, 6, 0) }], 1);
  await run(h, 3, (t) => [{ events: minuteOfConnects(1, t, 6, 6) }], 1);
  assert.equal(state(), 'major_outage');
  // Two clean minutes: the recent window (whole minutes, here the last 3) still holds a failing one.
  await run(h, 2, (t) => [{ events: minuteOfConnects(1, t, 6, 0) }], 1);
  assert.equal(state(), 'major_outage');
  // Three: 18 calls, none failed, while the 5 minutes still hold 12 failures of 30.
  await run(h, 1, (t) => [{ events: minuteOfConnects(1, t, 6, 0) }], 1);
  assert.equal(state(), 'degraded');
  // A failure among them again: the 5-minute window decides.
  await run(h, 1, (t) => [{ events: minuteOfConnects(1, t, 6, 1) }], 1);
  assert.notEqual(state(), 'degraded');
  // Two clean minutes again, and from then on never an outage.
  await run(h, 2, (t) => [{ events: minuteOfConnects(1, t, 6, 0) }], 1);
  for (let m = 0; m < 6; m++) {
    await run(h, 1, (t) => [{ events: minuteOfConnects(1, t, 6, 0) }], 1);
    assert.ok(state() === 'degraded' || state() === 'operational', state());
  }
});

test('a young agent does not page for an outage that ended before its volume guard was met; one still going pages', async () => {
  // 6 calls a minute from the first minute: the 1-hour volume guard (60 events) is met at minute
  // 10. The outage runs over minutes 2-5; at minute 10 the 5-minute window still holds minute 5's
  // failures (a burn far over 14.4x), but the last 2 minutes have 12 calls, none failing.
  for (const outageMinutes of [4, 12]) {
    const h = await harness({ alerts: { anomaly: { enabled: false, minEvents: 50, significance: 4, historyDays: 14 } } });
    const failing = (t: number) => t >= T0 + 2 * MINUTE && t < T0 + (2 + outageMinutes) * MINUTE;
    await run(h, 20, (t) => [{ events: minuteOfConnects(1, t, 6, failing(t) ? 6 : 0) }], 1);
    const pages = firedAlerts(h, T0).filter((a) => a.name === 'SloBurnRatePage');
    if (outageMinutes === 4) assert.deepEqual(pages, [], 'no page for an outage that is over');
    else {
      // Still failing when the guard is met: pages then, at minute 10.
      assert.equal(pages.length, 1, JSON.stringify(pages));
      assert.equal(pages[0].minute, 10);
    }
  }
});

test('a check every 10 s, ticks every 10 s: after its outage the provider reads recovering for good, and no burn-rate page opens late', async () => {
  // Windows count whole minute buckets: a 2-minute window held 7 to 12 of these runs depending
  // on the second of the tick, so the state went back and forth within each minute and a page
  // could open at minute 10, when the volume guard (60 runs) was met, 5 minutes after recovery.
  const h = await harness({ alerts: { anomaly: { enabled: false, minEvents: 50, significance: 4, historyDays: 14 } } });
  h.engine.configureChecks([{ name: 'obj', failureThreshold: 3, successThreshold: 2 }]);
  const states: Array<{ s: number; state: string }> = [];
  for (let s = 0; s < 15 * 60; s += 10) {
    const failing = s >= 120 && s < 300;
    const event: ProbeResult = {
      type: 'probe', check: 'obj', probe: 'http', ok: !failing, ts: h.clock.now(), target: 'https://api.p4.example/', ip: '198.51.100.4', attempts: 1, phases: { totalMs: 10 },
      ...(failing ? { status: 503, error: { kind: 'http_status', message: 'HTTP 503' } } : { status: 200 }),
    };
    h.engine.ingestEvents([{ event, label: labelOf('198.51.100.4') }]);
    h.clock.advance(10_000);
    const tick = await h.engine.tick();
    h.ticks.push(tick);
    states.push({ s: s + 10, state: tick.snapshot.providers.find((p) => p.id === 'p4')!.state });
  }
  const fired = firedAlerts(h, T0);
  assert.ok(fired.some((a) => a.name === 'CheckFailing' && a.minute < 3), JSON.stringify(fired));
  assert.deepEqual(fired.filter((a) => a.name === 'SloBurnRatePage' && a.minute >= 5), [], 'no page opens after the recovery at minute 5');
  const firstRecovering = states.findIndex((x) => x.s > 300 && x.state === 'degraded');
  assert.ok(firstRecovering > 0, JSON.stringify(states.slice(28, 50)));
  // Recovering as soon as the check has passed the 2 runs in a row that end its page (the runs
  // at 300 and 310 s, seen by the tick at 320 s), when its incident resolves; never an outage again.
  const resolvedAt = h.ticks.findIndex((t) => t.resolved.some((a) => a.name === 'CheckFailing'));
  assert.equal(states[resolvedAt].s, 320);
  assert.equal(states[firstRecovering].s, 320, `recovering at ${states[firstRecovering].s} s`);
  assert.deepEqual(states.slice(firstRecovering).filter((x) => x.state !== 'degraded' && x.state !== 'operational'), []);
});

test('a check that fails every other run is never read as recovering from its own passes', async () => {
  const h = await harness({ alerts: { anomaly: { enabled: false, minEvents: 50, significance: 4, historyDays: 14 } } });
  h.engine.configureChecks([{ name: 'obj', failureThreshold: 3, successThreshold: 2 }]);
  const states: string[] = [];
  for (let s = 0; s < 10 * 60; s += 10) {
    const ok = s < 120 || (s / 10) % 2 === 0;
    const event: ProbeResult = {
      type: 'probe', check: 'obj', probe: 'http', ok, ts: h.clock.now(), target: 'https://api.p4.example/', ip: '198.51.100.4', attempts: 1, phases: { totalMs: 10 },
      ...(ok ? { status: 200 } : { status: 503, error: { kind: 'http_status', message: 'HTTP 503' } }),
    };
    h.engine.ingestEvents([{ event, label: labelOf('198.51.100.4') }]);
    h.clock.advance(10_000);
    const tick = await h.engine.tick();
    h.ticks.push(tick);
    states.push(tick.snapshot.providers.find((p) => p.id === 'p4')!.state);
  }
  // Half the runs fail from minute 2 and never two pass in a row: from minute 3 the state is an
  // outage at every tick (major or partial as the minute buckets hold 50 % or a little less).
  assert.deepEqual(states.slice(18).filter((x) => x !== 'major_outage' && x !== 'partial_outage'), []);
});

test('a handful of failures among little traffic never pages: one refused connect in an hour of 70 calls', async () => {
  const h = await harness({ alerts: { anomaly: { enabled: false, minEvents: 50, significance: 4, historyDays: 14 } } });
  // 70 connects an hour (over the 60 an hour volume guard); one of them refused, then 3 more over
  // the next minutes: a 1.4-5.7 % error ratio, 14-57 times the budget, but fewer than 5 bad events.
  await run(h, 60, (t) => [{ events: minuteOfConnects(1, t, (t / MINUTE) % 6 === 0 ? 2 : 1, 0) }], 5);
  await run(h, 4, (t) => [{ events: minuteOfConnects(1, t, 1, 1) }], 1);
  assert.deepEqual(firedAlerts(h, 0).filter((a) => a.name.startsWith('SloBurnRate')), []);
  // A fifth bad event is evidence enough.
  await run(h, 1, (t) => [{ events: minuteOfConnects(1, t, 1, 1) }], 1);
  assert.ok(firedAlerts(h, 0).some((a) => a.name === 'SloBurnRatePage'));
});

test('maintenance windows suppress alerts for their scope; alerts come after the window', async () => {
  const h = await harness();
  await run(h, 60, (t) => [{ events: minuteOfConnects(1, t, 200, 0) }], 5);
  const start = h.clock.now();
  await h.store.putMaintenance({ id: 'mw1', scope: 'p1', startsAt: start, endsAt: start + 31 * MINUTE, reason: 'provider upgrade', createdBy: 'ops', createdAt: start });
  // Total outage of p1 from the start of the window.
  await run(h, 30, (t) => [{ events: minuteOfConnects(1, t, 200, 200) }]);
  assert.deepEqual(firedAlerts(h, start), [], 'nothing fires during maintenance');
  assert.ok(h.ticks.at(-1)?.suppressed, 'candidates were suppressed');
  await run(h, 2, (t) => [{ events: minuteOfConnects(1, t, 200, 200) }]);
  assert.ok(firedAlerts(h, start).some((a) => a.name === 'SloBurnRatePage' && a.provider === 'p1'));
  const p1 = (await h.store.getProvider('p1'))!;
  assert.equal(p1.state, 'major_outage');
  assert.equal(p1.maintenance[0].reason, 'provider upgrade');
  assert.ok(p1.uptimeDays.at(-1)?.maintenance);
});

test('incidents open with evidence, take operator notes, and resolve automatically', async () => {
  const h = await harness();
  await run(h, 30, (t) => [{ events: minuteOfConnects(2, t, 300, 0) }], 5);
  await run(h, 10, (t) => [{ events: minuteOfConnects(2, t, 300, 150) }]);
  const open = await h.store.listIncidents({ state: 'open' });
  assert.equal(open.length, 1);
  assert.equal(open[0].providerId, 'p2');
  assert.equal(open[0].severity, 'page');
  assert.ok(open[0].timeline.some((e) => e.kind === 'evidence' && /p2 fails from every host/.test(e.text)));
  await h.store.addIncidentNote(open[0].id, { at: h.clock.now(), author: 'alice', text: 'vendor confirms' });
  await run(h, 90, (t) => [{ events: minuteOfConnects(2, t, 300, 0) }], 5);
  assert.ok(!h.engine.alerts().some((a) => a.severity === 'page'), 'the pages resolve within the hour');
  // The ticket rule's 6 h short window keeps the incident open until it is clean.
  await run(h, 6 * 60, (t) => [{ events: minuteOfConnects(2, t, 300, 0) }], 15);
  const inc = await h.store.getIncident(open[0].id);
  assert.equal(inc?.state, 'resolved');
  assert.equal(inc?.notes[0].text, 'vendor confirms');
  assert.ok(inc?.timeline.some((e) => e.kind === 'note'));
  assert.equal((await h.store.getProvider('p2'))?.state, 'operational');
  assert.equal(h.engine.alerts().length, 0);
});

test('DNS findings become alerts grouped as local, and resolve when the finding goes away', async () => {
  const h = await harness();
  h.engine.reportDnsFindings([{ kind: 'resolver_down', severity: 'page', resolver: '10.206.0.53', summary: 'Resolver 10.206.0.53 stopped answering.', evidence: ['120 queries unanswered in 60 s'] }]);
  const t1 = await h.engine.tick(h.clock.now());
  assert.deepEqual(t1.fired.map((a) => [a.name, a.severity, a.attribution?.scope]), [['DnsResolverDown', 'page', 'resolver']]);
  const inc = await h.store.listIncidents({ state: 'open' });
  assert.equal(inc[0].providerId, 'local');
  h.engine.reportDnsFindings([]);
  h.clock.advance(MINUTE);
  const t2 = await h.engine.tick();
  assert.deepEqual(t2.resolved.map((a) => a.name), ['DnsResolverDown']);
  void HOUR;
});

test('an overspent error budget reads 0 % left and how many times it was spent, never a negative percentage', async () => {
  const h = await harness({ alerts: { anomaly: { enabled: false, minEvents: 50, significance: 4, historyDays: 14 } } });
  // 20 % failures against a 0.1 % budget: 200 times over.
  await run(h, 30, (t) => [{ events: minuteOfConnects(1, t, 200, 40) }], 5);
  const p = (await h.store.getProvider('p1'))!;
  const success = p.slos.find((s) => s.kind === 'success')!;
  assert.equal(success.budgetRemaining, 0);
  assert.ok(success.budgetSpent !== null && Math.abs(success.budgetSpent - 200) < 1, `spent ${success.budgetSpent}`);
  assert.equal(p.errorBudgetRemaining, 0);
  assert.equal(p.errorBudgetSpent, success.budgetSpent);
  assert.match(budgetBar(p.errorBudgetRemaining, p.errorBudgetSpent).toString(), /exhausted \(spent 200×\)/);
  assert.match(budgetBar(0.625, 0.375).toString(), /62\.5/);
  assert.doesNotMatch(budgetBar(0, 3.5).toString(), /-\d/);
});
