// The check runner (retries, labels, address changes) and the scheduler (spread, no overlap,
// concurrency cap, skipped runs), driven by a stand-in prober so behaviour, not network, is tested.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCheckRunner } from '../../src/blackbox/check-runner.js';
import { runChecksOnce } from '../../src/blackbox/run-once.js';
import { CheckScheduler, hashFraction, SLOT_SPACING_MS } from '../../src/blackbox/scheduler.js';
import type { Check, Prober } from '../../src/blackbox/types.js';
import type { ProbeResult } from '../../src/events.js';
import { tcpCheck } from '../helpers/blackbox-checks.js';

const never = new AbortController().signal;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function result(check: Check, ok: boolean, ip?: string): ProbeResult {
  return { type: 'probe', check: check.name, probe: check.type, target: 't', ok, ts: Date.now(), phases: { totalMs: 1 }, attempts: 1, ip, error: ok ? undefined : { kind: 'connect_refused', message: 'refused' } };
}

test('retries with back-off until a success', async () => {
  const calls: number[] = [];
  let n = 0;
  const prober: Prober = async (check) => {
    calls.push(performance.now());
    return result(check, ++n >= 3);
  };
  const run = createCheckRunner({ prober });
  const r = await run(tcpCheck('127.0.0.1', 1, { retries: 3, retryBackoffMs: 20 }), never);
  assert.equal(r.ok, true);
  assert.equal(r.attempts, 3);
  assert.ok(calls[2] - calls[1] >= calls[1] - calls[0], 'back-off grows');
  const always = createCheckRunner({ prober: async (c) => result(c, false) });
  const failed = await always(tcpCheck('127.0.0.1', 1, { retries: 1, retryBackoffMs: 1 }), never);
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

test('start offsets are spread across checks and stable per name', () => {
  const checks = Array.from({ length: 100 }, (_, i) => tcpCheck('127.0.0.1', 1, { name: `c${i}`, schedule: { intervalMs: 60_000 } }));
  const cronChecks = Array.from({ length: 50 }, (_, i) => tcpCheck('127.0.0.1', 1, { name: `k${i}`, schedule: { cron: '* * * * *' } }));
  const s = new CheckScheduler({ checks: [...checks, ...cronChecks], run: async (c) => result(c, true), onResult: () => undefined, cronSpreadMs: 10_000 });
  const plan = s.schedule();
  const intervalOffsets = plan.slice(0, 100).map((p) => p.offsetMs);
  assert.ok(intervalOffsets.every((o) => o >= 0 && o < 60_000));
  assert.ok(new Set(intervalOffsets.map((o) => Math.floor(o / 6000))).size >= 8, 'offsets fall in most tenths of the interval');
  const cronOffsets = plan.slice(100).map((p) => p.offsetMs);
  assert.ok(cronOffsets.every((o) => o >= 0 && o < 10_000));
  assert.ok(Math.max(...cronOffsets) - Math.min(...cronOffsets) > 5000);
  const again = new CheckScheduler({ checks, run: async (c) => result(c, true), onResult: () => undefined });
  assert.deepEqual(again.schedule().map((p) => p.offsetMs), intervalOffsets);
});

test('checks of one start slot share its time and start in a row, a spacing apart', async () => {
  // Four names whose hashes fall in the same of the 60 slots of a 1.2 s interval (20 ms wide).
  const slotOf = (name: string) => Math.floor(hashFraction(name) * 60);
  const names: string[] = [];
  for (let i = 0; names.length < 4; i++) if (slotOf(`row${i}`) === slotOf('row0')) names.push(`row${i}`);
  const checks = names.map((name) => tcpCheck('127.0.0.1', 1, { name, schedule: { intervalMs: 1200 } }));
  const runs: { check: string; dueAt: number; startedAt: number }[] = [];
  const s = new CheckScheduler({ checks, run: async (c) => result(c, true), onResult: (r, run) => runs.push({ check: r.check, dueAt: run.dueAt, startedAt: run.startedAt }) });
  assert.equal(new Set(s.schedule().map((p) => p.offsetMs)).size, 1, 'one offset for the slot');
  s.start();
  await sleep(1400);
  await s.stop();
  const row = runs.slice(0, 4);
  assert.equal(row.length, 4, JSON.stringify(runs));
  assert.deepEqual(row.map((r) => r.check), [...names].sort(), 'started in name order');
  for (let i = 1; i < row.length; i++) assert.ok(Math.abs(row[i].dueAt - row[i - 1].dueAt - SLOT_SPACING_MS) < 1e-6, `planned ${SLOT_SPACING_MS} ms apart: ${row[i].dueAt - row[i - 1].dueAt}`);
  // No start before its planned time (Node's timers count whole milliseconds of loop time, so one
  // can fire up to 1 ms early): the row never bunches up into a burst.
  for (const r of row) assert.ok(r.startedAt >= r.dueAt - 1, `started ${r.dueAt - r.startedAt} ms before its time`);
  assert.deepEqual([...row].sort((a, b) => a.startedAt - b.startedAt), row, 'started in order');
});

test('cron runs fire at the cron time plus the offset', async () => {
  const check = tcpCheck('127.0.0.1', 1, { name: 'every-second', schedule: { cron: '* * * * * *' } });
  const runs: number[] = [];
  const s = new CheckScheduler({ checks: [check], run: async (c) => result(c, true), onResult: (_r, run) => runs.push(run.dueAt), cronSpreadMs: 400 });
  s.start();
  await sleep(2600);
  await s.stop();
  const offset = s.schedule()[0].offsetMs;
  assert.ok(runs.length >= 2, `runs ${runs.length}`);
  for (const due of runs) assert.ok(Math.abs(((due - offset) % 1000 + 1000) % 1000) < 1e-6 || Math.abs(((due - offset) % 1000) - 1000) < 1e-6, `due ${due} offset ${offset}`);
});

test('a run still going when the next is due is skipped, never overlapped or queued', async () => {
  let active = 0;
  let maxActive = 0;
  const check = tcpCheck('127.0.0.1', 1, { name: 'slow', schedule: { intervalMs: 50 } });
  const s = new CheckScheduler({
    checks: [check],
    run: async (c) => {
      maxActive = Math.max(maxActive, ++active);
      await sleep(180);
      active--;
      return result(c, true);
    },
    onResult: () => undefined,
  });
  s.start();
  await sleep(700);
  await s.stop();
  assert.equal(maxActive, 1);
  assert.ok(s.stats.skippedBusy >= 3, JSON.stringify(s.stats));
  assert.ok(s.stats.runs >= 2 && s.stats.runs <= 5, JSON.stringify(s.stats));
});

test('the concurrency cap holds across checks, and runs that wait past their next slot are skipped', async () => {
  let active = 0;
  let maxActive = 0;
  const checks = Array.from({ length: 8 }, (_, i) => tcpCheck('127.0.0.1', 1, { name: `n${i}`, schedule: { intervalMs: 100 } }));
  const results: ProbeResult[] = [];
  const s = new CheckScheduler({
    checks,
    concurrency: 2,
    run: async (c) => {
      maxActive = Math.max(maxActive, ++active);
      await sleep(40);
      active--;
      return result(c, true);
    },
    onResult: (r) => results.push(r),
  });
  s.start();
  await sleep(800);
  await s.stop();
  assert.equal(maxActive, 2);
  assert.equal(results.length, s.stats.runs - s.stats.cancelled);
  assert.ok(s.stats.skippedLate > 0, JSON.stringify(s.stats));
});

test('stop() cancels probes in flight and drops their results', async () => {
  const results: ProbeResult[] = [];
  const check = tcpCheck('127.0.0.1', 1, { name: 'long', schedule: { intervalMs: 20 } });
  // A probe that only ends when cancelled.
  const run = (c: Check, signal: AbortSignal) => new Promise<ProbeResult>((resolve) => signal.addEventListener('abort', () => resolve(result(c, false)), { once: true }));
  const s = new CheckScheduler({ checks: [check], run, onResult: (r) => results.push(r) });
  s.start();
  await sleep(100);
  await s.stop();
  assert.equal(results.length, 0);
  assert.equal(s.stats.cancelled, 1);
  assert.ok(s.stats.skippedBusy >= 1, JSON.stringify(s.stats));
});

test('a run of every check once starts them a spacing apart, results in check order', async () => {
  const checks = Array.from({ length: 5 }, (_, i) => tcpCheck('127.0.0.1', 1, { name: `once${i}` }));
  const starts: number[] = [];
  const results = await runChecksOnce(checks, async (c) => {
    starts.push(performance.now());
    await sleep(5);
    return result(c, true);
  }, never, 32);
  assert.deepEqual(results.map((r) => r.check), checks.map((c) => c.name));
  // Each start waits for the clock, so the whole run spans the spacings; a stall between one
  // start's turn and its run only moves time from one gap to the next.
  const span = starts[starts.length - 1] - starts[0];
  assert.ok(span >= (starts.length - 1) * SLOT_SPACING_MS - 1, `starts span ${span} ms`);
  assert.deepEqual([...starts].sort((a, b) => a - b), starts, 'started in order');
});
