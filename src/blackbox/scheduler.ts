// Runs checks on their cron expressions or intervals: each check starts at its own offset into
// its period, spread over it by a hash of the check's name, under a global concurrency cap, never
// alongside its own previous run; runs missed while busy or stalled are skipped, not queued.
import { Cron } from 'croner';
import { systemClock, type TimerClock, type TimerHandle } from '../clock.js';
import type { ProbeResult } from '../events.js';
import type { CheckRunner } from './check-runner.js';
import { ConcurrencyLimit } from './concurrency-limit.js';
import type { Check } from './types.js';

/** When a run was due and when it really started (epoch ms, by the scheduler's clock). */
export interface ScheduledRun {
  dueAt: number;
  startedAt: number;
  /** startedAt − dueAt: timer lateness plus any wait for a concurrency slot. */
  lagMs: number;
}

export interface SchedulerOptions {
  checks: readonly Check[];
  run: CheckRunner;
  onResult: (result: ProbeResult, run: ScheduledRun) => void;
  /** Probes in flight at once across all checks (default 32). */
  concurrency?: number;
  /** Cron checks start up to this long after their cron time, spread by name (default 10 s). */
  cronSpreadMs?: number;
  /** Time and timers (default: the system clock); tests drive a ManualClock instead. */
  clock?: TimerClock;
}

export interface SchedulerStats {
  runs: number;
  /** A run came due while the previous run of the same check was still going. */
  skippedBusy: number;
  /** A run waited for a concurrency slot until its next run was already due. */
  skippedLate: number;
  /** Runs in flight when the scheduler stopped; their results are dropped. */
  cancelled: number;
}

interface CheckState {
  check: Check;
  /** After the interval's grid point or the cron time: a fraction of the interval or the cron spread. */
  offsetMs: number;
  cron?: Cron;
  nextDue: number;
  running: boolean;
  timer?: TimerHandle;
  /** Removed or replaced by update(): a run still in flight reports nothing. */
  retired?: boolean;
}

/** What update() did, by check name. */
export interface ScheduleChange {
  added: string[];
  changed: string[];
  removed: string[];
  unchanged: string[];
}

/** Longest single timer; longer waits re-arm (setTimeout overflows past 2^31−1 ms). */
const MAX_TIMER_MS = 2 ** 30;
/**
 * How early a timer may fire and still start its run. Node's timers count whole milliseconds of
 * a loop time that can trail the wall clock, so one can fire up to a millisecond before its due
 * time; an earlier wake (the end of a long wait, the wall clock stepped back) waits again.
 */
const EARLY_TOLERANCE_MS = 1;

export class CheckScheduler {
  readonly stats: SchedulerStats = { runs: 0, skippedBusy: 0, skippedLate: 0, cancelled: 0 };
  private states: CheckState[];
  private readonly limit: ConcurrencyLimit;
  private readonly clock: TimerClock;
  private readonly controller = new AbortController();
  private readonly inFlight = new Set<Promise<void>>();
  private started = false;

  constructor(private readonly options: SchedulerOptions) {
    this.clock = options.clock ?? systemClock;
    this.limit = new ConcurrencyLimit(options.concurrency ?? 32);
    this.states = options.checks.map((check) => this.prepare(check));
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    const now = this.clock.now();
    for (const state of this.states) {
      state.nextDue = this.nextDueAfter(state, now);
      this.arm(state);
    }
  }

  /** Stops timers, cancels probes in flight and waits for them to report. */
  async stop(): Promise<void> {
    this.controller.abort();
    for (const state of this.states) {
      if (state.timer !== undefined) this.clock.clearTimeout(state.timer);
      state.timer = undefined;
    }
    await Promise.allSettled([...this.inFlight]);
  }

  /**
   * Replaces the checks (a configuration reload): unchanged checks keep their timers and
   * schedule, changed ones start over on their new definition, removed ones stop (a run in
   * flight finishes but is not reported), new ones are armed.
   */
  update(checks: readonly Check[]): ScheduleChange {
    const old = new Map(this.states.map((s) => [s.check.name, s]));
    const change: ScheduleChange = { added: [], changed: [], removed: [], unchanged: [] };
    const next: CheckState[] = [];
    const now = this.clock.now();
    for (const check of checks) {
      const have = old.get(check.name);
      old.delete(check.name);
      if (have && definitionKey(have.check) === definitionKey(check)) {
        next.push(have);
        change.unchanged.push(check.name);
        continue;
      }
      if (have) this.retire(have);
      const state = this.prepare(check);
      next.push(state);
      (have ? change.changed : change.added).push(check.name);
      if (this.started) {
        state.nextDue = this.nextDueAfter(state, now);
        this.arm(state);
      }
    }
    for (const [name, state] of old) {
      this.retire(state);
      change.removed.push(name);
    }
    this.states = next;
    return change;
  }

  private retire(state: CheckState): void {
    state.retired = true;
    if (state.timer !== undefined) this.clock.clearTimeout(state.timer);
    state.timer = undefined;
  }

  /** The next due time of each check (epoch ms), for status displays and tests. */
  schedule(): { check: string; nextDue: number; offsetMs: number }[] {
    return this.states.map((s) => ({ check: s.check.name, nextDue: s.nextDue, offsetMs: s.offsetMs }));
  }

  private prepare(check: Check): CheckState {
    const fraction = hashFraction(check.name);
    if ('intervalMs' in check.schedule) {
      return { check, offsetMs: Math.floor(fraction * check.schedule.intervalMs), nextDue: 0, running: false };
    }
    const cron = new Cron(check.schedule.cron, { paused: true });
    const [a, b] = cron.nextRuns(2);
    const period = a && b ? b.getTime() - a.getTime() : 60_000;
    const spanMs = Math.min(this.options.cronSpreadMs ?? 10_000, period / 2);
    return { check, cron, offsetMs: Math.floor(fraction * spanMs), nextDue: 0, running: false };
  }

  /** The first due time strictly after t. Interval runs sit on a fixed grid, so restarts keep them in place. */
  private nextDueAfter(state: CheckState, t: number): number {
    if (!state.cron) {
      const interval = (state.check.schedule as { intervalMs: number }).intervalMs;
      return Math.floor((t - state.offsetMs) / interval + 1) * interval + state.offsetMs;
    }
    const next = state.cron.nextRun(new Date(t - state.offsetMs));
    return next ? next.getTime() + state.offsetMs : Number.POSITIVE_INFINITY;
  }

  /** Arms the check's timer for its next due time. */
  private arm(state: CheckState): void {
    state.timer = undefined;
    if (!Number.isFinite(state.nextDue) || this.controller.signal.aborted || state.retired) return;
    const delay = Math.min(Math.max(0, state.nextDue - this.clock.now()), MAX_TIMER_MS);
    state.timer = this.clock.setTimeout(() => this.onDue(state), delay);
  }

  private onDue(state: CheckState): void {
    const now = this.clock.now();
    if (now < state.nextDue - EARLY_TOLERANCE_MS) return this.arm(state);
    const dueAt = state.nextDue;
    // The next run comes from now: runs missed while the process was stalled are dropped.
    state.nextDue = this.nextDueAfter(state, Math.max(now, dueAt));
    this.arm(state);
    if (state.running) {
      this.stats.skippedBusy++;
      return;
    }
    // The run is late once the next one is due, even if that one's turn passes (skipped as busy).
    const work = this.runOnce(state, dueAt, state.nextDue);
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  private async runOnce(state: CheckState, dueAt: number, lateAt: number): Promise<void> {
    state.running = true;
    await this.limit.acquire();
    try {
      const startedAt = this.clock.now();
      if (startedAt >= lateAt || this.controller.signal.aborted) {
        this.stats.skippedLate++;
        return;
      }
      this.stats.runs++;
      const result = await this.options.run(state.check, this.controller.signal);
      // A probe cut short by stop() says nothing about the endpoint: it is not reported; nor is
      // the run of a check a reload removed or replaced.
      if (this.controller.signal.aborted || state.retired) {
        this.stats.cancelled++;
        return;
      }
      this.options.onResult(result, { dueAt, startedAt, lagMs: startedAt - dueAt });
    } finally {
      this.limit.release();
      state.running = false;
    }
  }
}

/** A check's definition as comparable text (expressions compared by their source). */
function definitionKey(check: Check): string {
  return JSON.stringify(check, (_key, value: unknown) => (value instanceof RegExp ? `/${value.source}/${value.flags}` : value));
}

/** A stable value in [0, 1) from a check name (FNV-1a), to spread start times. */
export function hashFraction(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  // Final avalanche (murmur3 fmix32): names differing in one character must land far apart.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return (h >>> 0) / 2 ** 32;
}
