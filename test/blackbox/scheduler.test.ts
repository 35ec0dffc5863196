// The check runner (retries, labels, address changes), the scheduler (spread, intervals, cron, no
// overlap, concurrency cap, skipped runs, stop) and the run of every check once, driven by a
// stand-in prober and a manual clock: time moves only when a test moves it, and a test waits for
// the events it expects (a probe starting, a result), so nothing depends on how fast the machine is.
import { mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { createCheckRunner } from '../../src/blackbox/check-runner.js';
import { runChecksOnce, START_SPACING_MS } from '../../src/blackbox/run-once.js';
import { CheckScheduler, hashFraction, type ScheduledRun, type SchedulerOptions } from '../../src/blackbox/scheduler.js';
import { runsPerHour } from '../../src/blackbox/schedule-rate.js';
import type { Check, Prober } from '../../src/blackbox/types.js';
import { ManualClock } from '../../src/clock.js';
import type { ProbeResult } from '../../src/events.js';
import { tcpCheck } from '../helpers/blackbox-checks.js';

const never = new AbortController().signal;
/** Lets every pending promise continuation run; no time passes on any clock. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
/** A whole minute (and so a whole second, 30 s, 5 minutes) in UTC and in every time zone's minutes. */
const T0 = Date.UTC(2030, 0, 1, 0, 0, 0);
/** Fails a test that waits for an event that never comes, instead of hanging the suite. */
const guard = { timeout: 10_000 };

function result(check: Check, ok: boolean, ip?: string): ProbeResult {
  return { type: 'probe', check: check.name, probe: check.type, target: 't', ok, ts: Date.now(), phases: { totalMs: 1 }, attempts: 1, ip, error: ok ? undefined : { kind: 'connect_refused', message: 'refused' } };
}

function every(intervalMs: number, name: string): Check {
  return tcpCheck('127.0.0.1', 1, { name, schedule: { intervalMs } });
}

/** A probe the scheduler started: when (by the manual clock), and how the test ends it. */
interface Probe {
  check: string;
  at: number;
  signal: AbortSignal;
  finish(ok?: boolean): void;
}

/** A scheduler on a manual clock whose probes are held until the test finishes them (or end at once with `instant`). */
function harness(checks: Check[], { instant = false, ...options }: Partial<SchedulerOptions> & { instant?: boolean } = {}) {
  const clock = new ManualClock(T0);
  const starts: Probe[] = [];
  const results: { result: ProbeResult; run: ScheduledRun }[] = [];
  const waiting: { count: () => number; n: number; resolve: () => void }[] = [];
  const wake = () => {
    for (const w of [...waiting]) {
      if (w.count() < w.n) continue;
      waiting.splice(waiting.indexOf(w), 1);
      w.resolve();
    }
  };
  let active = 0;
  let maxActive = 0;
  const scheduler = new CheckScheduler({
    checks,
    clock,
    run: (check, signal) => new Promise<ProbeResult>((resolve) => {
      maxActive = Math.max(maxActive, ++active);
      const finish = (ok = true) => {
        active--;
        resolve(result(check, ok));
      };
      starts.push({ check: check.name, at: clock.now(), signal, finish });
      wake();
      if (instant) finish();
    }),
    onResult: (r, run) => {
      results.push({ result: r, run });
      wake();
    },
    ...options,
  });
  const until = (count: () => number, n: number) => new Promise<void>((resolve) => {
    waiting.push({ count, n, resolve });
    wake();
  });
  return {
    clock, scheduler, starts, results,
    get maxActive() {
      return maxActive;
    },
    /** Resolves once n probes have started in all. */
    started: (n: number) => until(() => starts.length, n),
    /** Resolves once n results have been reported in all. */
    reported: (n: number) => until(() => results.length, n),
    /** Moves the clock to the next armed timer (a due run) and lets what it started get going. */
    async step(): Promise<number> {
      const at = clock.nextTimerAt();
      assert.ok(at !== undefined, 'a timer is armed');
      clock.set(at);
      await settle();
      return at;
    },
  };
}

test('retries with back-off until a success', guard, async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
  const calls: number[] = [];
  let n = 0;
  const prober: Prober = async (check) => {
    calls.push(Date.now());
    return result(check, ++n >= 3);
  };
  const run = createCheckRunner({ prober });
  const pending = run(tcpCheck('127.0.0.1', 1, { retries: 3, retryBackoffMs: 20 }), never);
  // One millisecond at a time, each time letting the runner reach its next wait.
  while (calls.length < 3) {
    await settle();
    t.mock.timers.tick(1);
  }
  const r = await pending;
  assert.equal(r.ok, true);
  assert.equal(r.attempts, 3);
  assert.deepEqual(calls, [0, 20, 60], 'the back-off doubles: 20 ms, then 40 ms');
  t.mock.timers.reset();
  const always = createCheckRunner({ prober: async (c) => result(c, false) });
  const failed = await always(tcpCheck('127.0.0.1', 1, { retries: 1, retryBackoffMs: 0 }), never);
  assert.equal(failed.ok, false);
  assert.equal(failed.attempts, 2);
});

test('ipChanged compares with the previous run of the same check', async () => {
  const ips = ['192.0.2.1', '192.0.2.1', '192.0.2.2'];
  const run = createCheckRunner({ prober: async (c) => result(c, true, ips.shift()) });
  const check = tcpCheck('db.blackbox.test', 5432);
  assert.equal((await run(check, never)).ipChanged, undefined);
  assert.equal((await run(check, never)).ipChanged, false);
  assert.equal((await run(check, never)).ipChanged, true);
});

test("labels: a check's configured provider and service are carried on its results; others are left to the labelling stage", async () => {
  const run = createCheckRunner({ prober: async (c) => result(c, true, '192.0.2.5') });
  const plain = await run(tcpCheck('db.blackbox.test', 5432), never);
  assert.deepEqual([plain.provider, plain.service], [undefined, undefined]);
  const configured = await run(tcpCheck('db.blackbox.test', 5432, { provider: 'stripe', service: 'api' }), never);
  assert.deepEqual([configured.provider, configured.service], ['stripe', 'api']);
});

test('start offsets are spread over the period by name, each check on its own, stable across restarts', () => {
  const checks = Array.from({ length: 100 }, (_, i) => every(60_000, `c${i}`));
  const cronChecks = Array.from({ length: 50 }, (_, i) => tcpCheck('127.0.0.1', 1, { name: `k${i}`, schedule: { cron: '* * * * *' } }));
  const noop = { run: async (c: Check) => result(c, true), onResult: () => undefined };
  const plan = new CheckScheduler({ checks: [...checks, ...cronChecks], ...noop, cronSpreadMs: 10_000 }).schedule();
  const intervalOffsets = plan.slice(0, 100).map((p) => p.offsetMs);
  assert.deepEqual(intervalOffsets, checks.map((c) => Math.floor(hashFraction(c.name) * 60_000)), 'each offset is its name\'s fraction of the interval');
  assert.ok(intervalOffsets.every((o) => Number.isInteger(o) && o >= 0 && o < 60_000));
  const tenths = new Set(intervalOffsets.map((o) => Math.floor(o / 6000)));
  assert.equal(tenths.size, 10, 'offsets fall in every tenth of the interval');
  const cronOffsets = plan.slice(100).map((p) => p.offsetMs);
  assert.ok(cronOffsets.every((o) => o >= 0 && o < 10_000), 'cron offsets stay within the spread');
  assert.ok(Math.max(...cronOffsets) - Math.min(...cronOffsets) > 5000);
  // A check's offset depends on its name alone: other checks coming and going do not move it.
  const fewer = new CheckScheduler({ checks: checks.slice(40).reverse(), ...noop }).schedule();
  assert.deepEqual(fewer.map((p) => p.offsetMs).reverse(), intervalOffsets.slice(40));
});

test('interval runs start at their offset and then every interval, on a grid that restarts keep', guard, async () => {
  const check = every(30_000, 'api');
  const h = harness([check], { instant: true });
  const offset = h.scheduler.schedule()[0].offsetMs;
  h.scheduler.start();
  for (let i = 0; i < 4; i++) await h.step();
  await h.reported(4);
  await h.scheduler.stop();
  assert.deepEqual(h.starts.map((p) => p.at), [0, 1, 2, 3].map((i) => T0 + offset + i * 30_000));
  for (const { run } of h.results) assert.deepEqual([run.startedAt, run.lagMs], [run.dueAt, 0]);
  // Started again at some other moment, the check keeps its place on the grid.
  const later = harness([check]);
  later.clock.set(T0 + 12_345_678);
  later.scheduler.start();
  const next = later.scheduler.schedule()[0].nextDue;
  await later.scheduler.stop();
  assert.equal((next - T0 - offset) % 30_000, 0);
  assert.ok(next > T0 + 12_345_678 && next <= T0 + 12_345_678 + 30_000);
});

test('cron runs start at the cron time plus the offset', guard, async () => {
  const secondly = tcpCheck('127.0.0.1', 1, { name: 'every-second', schedule: { cron: '* * * * * *' } });
  const fiveMinutely = tcpCheck('127.0.0.1', 1, { name: 'every-five-minutes', schedule: { cron: '*/5 * * * *' } });
  const h = harness([secondly, fiveMinutely], { instant: true, cronSpreadMs: 400 });
  const [secondOffset, fiveOffset] = h.scheduler.schedule().map((p) => p.offsetMs);
  assert.ok(secondOffset < 400 && fiveOffset < 400, 'offsets within the spread');
  h.scheduler.start();
  // Ten minutes. The cron times at T0 itself still count: their runs are due at T0 plus the offset.
  while (h.clock.nextTimerAt()! < T0 + 10 * 60_000) await h.step();
  await h.scheduler.stop();
  const at = (name: string) => h.starts.filter((p) => p.check === name).map((p) => p.at);
  assert.deepEqual(at('every-second'), Array.from({ length: 600 }, (_, i) => T0 + i * 1000 + secondOffset));
  assert.deepEqual(at('every-five-minutes'), [T0 + fiveOffset, T0 + 5 * 60_000 + fiveOffset]);
  for (const { run } of h.results) assert.equal(run.lagMs, 0);
});

test('a wait longer than one timer allows is split, and the run still starts on time', guard, async () => {
  const yearly = tcpCheck('127.0.0.1', 1, { name: 'new-year', schedule: { cron: '0 0 1 1 *' } });
  const h = harness([yearly], { instant: true });
  h.clock.set(T0 + 2 * 86_400_000); // past New Year in every time zone
  h.scheduler.start();
  const due = h.scheduler.schedule()[0].nextDue;
  assert.ok(due - h.clock.now() > 2 ** 31, 'due in about a year');
  let wakes = 0;
  while (h.starts.length === 0) {
    await h.step();
    wakes++;
  }
  await h.scheduler.stop();
  assert.ok(wakes > 1, `woke ${wakes} times`);
  assert.deepEqual(h.starts.map((p) => p.at), [due]);
});

test('a run still going when the next is due is skipped, never overlapped or queued', guard, async () => {
  const h = harness([every(1000, 'slow')]);
  h.scheduler.start();
  const first = await h.step();
  await h.started(1);
  for (let i = 0; i < 3; i++) await h.step();
  assert.equal(h.starts.length, 1, 'no second run alongside the first');
  assert.equal(h.scheduler.stats.skippedBusy, 3);
  h.starts[0].finish();
  await h.reported(1);
  await settle();
  assert.equal(h.starts.length, 1, 'the skipped runs are not made up');
  const next = await h.step();
  await h.started(2);
  assert.equal(next, first + 4000);
  assert.equal(h.starts[1].at, next);
  h.starts[1].finish();
  await h.reported(2);
  await h.scheduler.stop();
  assert.equal(h.maxActive, 1);
  assert.deepEqual(h.scheduler.stats, { runs: 2, skippedBusy: 3, skippedLate: 0, cancelled: 0 });
});

test('the concurrency cap holds across checks: a run waits for a free slot, and is skipped if its next run comes due first', guard, async () => {
  const checks = ['a', 'b', 'c'].map((name) => every(10_000, name));
  const h = harness(checks, { concurrency: 2 });
  const offsets = new Map(h.scheduler.schedule().map((p) => [p.check, p.offsetMs]));
  const order = [...checks].map((c) => c.name).sort((x, y) => offsets.get(x)! - offsets.get(y)!);
  const [, , last] = order;
  h.scheduler.start();
  // All three come due; the first two hold both slots.
  for (let i = 0; i < 3; i++) await h.step();
  assert.deepEqual(h.starts.map((p) => p.check), order.slice(0, 2));
  // The third is still waiting when its next run comes due: that run is skipped as busy.
  const lastDue = T0 + offsets.get(last)!;
  while (h.clock.nextTimerAt()! <= lastDue + 10_000) await h.step();
  assert.equal(h.starts.length, 2);
  assert.ok(h.scheduler.stats.skippedBusy >= 1, JSON.stringify(h.scheduler.stats));
  // A slot frees up, but the waiting run's time has passed: it is skipped, not started late.
  h.starts[0].finish();
  await h.reported(1);
  await settle();
  assert.equal(h.starts.length, 2);
  assert.equal(h.scheduler.stats.skippedLate, 1);
  h.starts[1].finish();
  await h.reported(2);

  // Next period: two runs hold the slots again, and the third starts once one is free,
  // reporting the wait in its lag.
  while (h.starts.length < 4) await h.step();
  const dueOfLast = h.scheduler.schedule().find((p) => p.check === last)!.nextDue;
  while (h.clock.nextTimerAt()! <= dueOfLast) await h.step();
  assert.equal(h.starts.length, 4);
  h.clock.advance(250);
  h.starts[2].finish();
  await h.started(5);
  assert.equal(h.starts[4].check, last);
  assert.equal(h.starts[4].at, dueOfLast + 250);
  for (const p of h.starts.slice(3)) p.finish();
  await h.reported(5);
  assert.equal(h.results[4].run.lagMs, 250);
  assert.equal(h.results[4].run.dueAt, dueOfLast);
  await h.scheduler.stop();
  assert.equal(h.maxActive, 2);
  assert.equal(h.results.length, h.scheduler.stats.runs - h.scheduler.stats.cancelled);
});

test('stop() cancels probes in flight, drops their results and disarms every timer', guard, async () => {
  const h = harness([every(1000, 'long')]);
  h.scheduler.start();
  await h.step();
  await h.started(1);
  // A probe that only ends when cancelled.
  const [long] = h.starts;
  long.signal.addEventListener('abort', () => long.finish(false), { once: true });
  await h.step();
  await h.scheduler.stop();
  assert.equal(long.signal.aborted, true);
  assert.deepEqual(h.results, [], 'the cancelled probe is not reported');
  assert.deepEqual(h.scheduler.stats, { runs: 1, skippedBusy: 1, skippedLate: 0, cancelled: 1 });
  assert.equal(h.clock.nextTimerAt(), undefined, 'no timer left armed');
  h.clock.advance(60_000);
  await settle();
  assert.equal(h.starts.length, 1, 'nothing starts after stop()');
});

/** A manual clock whose sleeps wait, like its timers, until the test moves time past them. */
class SteppedClock extends ManualClock {
  override sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimeout(resolve, ms));
  }
}

test('a run of every check once spaces the starts, holds the cap, and reports in check order', guard, async () => {
  const clock = new SteppedClock(T0);
  const checks = Array.from({ length: 5 }, (_, i) => tcpCheck('127.0.0.1', 1, { name: `once${i}` }));
  const starts: { check: string; at: number; finish: () => void }[] = [];
  let active = 0;
  let maxActive = 0;
  const seen: string[] = [];
  const done = runChecksOnce(checks, (c) => new Promise<ProbeResult>((resolve) => {
    maxActive = Math.max(maxActive, ++active);
    starts.push({ check: c.name, at: clock.now(), finish: () => { active--; resolve(result(c, true)); } });
  }), never, { concurrency: 2, clock, onResult: (r) => seen.push(r.check) });
  /** Moves time from one waiting start to the next until n probes have started. */
  const started = async (n: number) => {
    while (starts.length < n) {
      await settle();
      const at = clock.nextTimerAt();
      if (at !== undefined) clock.set(at);
    }
  };
  // The first probe is held to the end, so the others finish (and report) before it.
  await started(2);
  for (let n = 3; n <= 5; n++) {
    starts[n - 2].finish();
    await started(n);
  }
  starts[4].finish();
  starts[0].finish();
  const results = await done;
  assert.equal(maxActive, 2);
  assert.deepEqual(starts.map((p) => p.check), checks.map((c) => c.name), 'started in check order');
  assert.deepEqual(starts.map((p) => p.at - T0), [0, 1, 2, 3, 4].map((i) => i * START_SPACING_MS), 'a spacing apart');
  assert.deepEqual(seen, ['once1', 'once2', 'once3', 'once4', 'once0'], 'onResult sees each as it finishes');
  assert.deepEqual(results.map((r) => r.check), checks.map((c) => c.name), 'results in check order');
});

test('update: unchanged checks keep their schedule, a changed one starts on its new definition, a removed one stops and its run in flight is not reported, a new one runs', guard, async () => {
  const a = every(60_000, 'a');
  const b = every(60_000, 'b');
  const c = every(60_000, 'c');
  const h = harness([a, b, c]);
  h.scheduler.start();
  // Let c start a run and hold it, so its removal happens while it is in flight.
  while (!h.starts.some((s) => s.check === 'c')) await h.step();
  const inFlight = h.starts.find((s) => s.check === 'c')!;
  for (const s of h.starts.filter((x) => x !== inFlight)) s.finish();
  await settle();

  const before = new Map(h.scheduler.schedule().map((s) => [s.check, s.nextDue]));
  const b2 = every(30_000, 'b');
  const d = every(60_000, 'd');
  const change = h.scheduler.update([a, b2, d]);
  assert.deepEqual(change, { added: ['d'], changed: ['b'], removed: ['c'], unchanged: ['a'] });
  const after = new Map(h.scheduler.schedule().map((s) => [s.check, s.nextDue]));
  assert.equal(after.get('a'), before.get('a'), 'a keeps its place');
  assert.equal(after.has('c'), false);
  assert.equal((after.get('b')! - Math.floor(hashFraction('b') * 30_000)) % 30_000, 0, 'b is on its new 30 s grid');

  const reportedBefore = h.results.length;
  inFlight.finish(false);
  await settle();
  assert.equal(h.results.length, reportedBefore, 'the removed check\'s last run is not reported');

  // Over the next two minutes: a, b and d run, c never again.
  const end = h.clock.now() + 120_000;
  while ((h.clock.nextTimerAt() ?? Infinity) <= end) {
    await h.step();
    for (const s of h.starts) s.finish();
    await settle();
  }
  const later = h.starts.filter((s) => s.at > T0 && s !== inFlight && s.at >= end - 120_000);
  const names = new Set(later.map((s) => s.check));
  assert.deepEqual([...names].sort(), ['a', 'b', 'd']);
  assert.ok(later.filter((s) => s.check === 'b').length >= 4, 'b runs every 30 s');
  await h.scheduler.stop();
});

test('update with the same definitions changes nothing, including regular expressions compared by source', () => {
  const check = tcpCheck('127.0.0.1', 1, { name: 'x', expectMatches: /ok\d+/i });
  const h = harness([check]);
  h.scheduler.start();
  const due = h.scheduler.schedule()[0].nextDue;
  const same = tcpCheck('127.0.0.1', 1, { name: 'x', expectMatches: /ok\d+/i });
  assert.deepEqual(h.scheduler.update([same]), { added: [], changed: [], removed: [], unchanged: ['x'] });
  assert.equal(h.scheduler.schedule()[0].nextDue, due);
  assert.deepEqual(h.scheduler.update([tcpCheck('127.0.0.1', 1, { name: 'x', expectMatches: /ok\d+/ })]).changed, ['x']);
  void h.scheduler.stop();
});

test('runs an hour of a schedule: from the interval, or the period of the cron expression', () => {
  assert.equal(runsPerHour({ intervalMs: 120_000 }), 30);
  assert.equal(runsPerHour({ cron: '*/5 * * * *' }), 12);
  assert.equal(runsPerHour({ cron: '0 * * * *' }), 1);
});
