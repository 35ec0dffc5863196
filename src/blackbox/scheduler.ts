// Runs checks on their cron expressions or intervals: start offsets spread per check, a global
// concurrency cap, no overlapping runs of one check, and missed runs skipped rather than queued.
import { performance } from 'node:perf_hooks';
import { Cron } from 'croner';
import type { ProbeResult } from '../events.js';
import type { CheckRunner } from './check-runner.js';
import { ConcurrencyLimit } from './concurrency-limit.js';
import type { Check } from './types.js';

/** When a run was due and when it really started (epoch ms, fractional). */
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
  offsetMs: number;
  cron?: Cron;
  nextDue: number;
  running: boolean;
  timer?: NodeJS.Timeout;
}

/** Longest single timer; longer waits re-arm (setTimeout overflows past 2^31−1 ms). */
const MAX_TIMER_MS = 2 ** 30;

export class CheckScheduler {
  readonly stats: SchedulerStats = { runs: 0, skippedBusy: 0, skippedLate: 0, cancelled: 0 };
  private readonly states: CheckState[];
  private readonly limit: ConcurrencyLimit;
  private readonly controller = new AbortController();
  private readonly inFlight = new Set<Promise<void>>();
  private started = false;

  constructor(private readonly options: SchedulerOptions) {
    this.limit = new ConcurrencyLimit(options.concurrency ?? 32);
    this.states = options.checks.map((check) => this.prepare(check));
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    const now = clock();
    for (const state of this.states) {
      state.nextDue = this.nextDueAfter(state, now);
      this.arm(state);
    }
  }

  /** Stops timers, cancels probes in flight and waits for them to report. */
  async stop(): Promise<void> {
    for (const state of this.states) clearTimeout(state.timer);
    this.controller.abort();
    await Promise.allSettled([...this.inFlight]);
  }

  /** The next due time of each check (epoch ms), for status displays and tests. */
  schedule(): { check: string; nextDue: number; offsetMs: number }[] {
    return this.states.map((s) => ({ check: s.check.name, nextDue: s.nextDue, offsetMs: s.offsetMs }));
  }

  private prepare(check: Check): CheckState {
    const fraction = hashFraction(check.name);
    if ('intervalMs' in check.schedule) return { check, offsetMs: fraction * check.schedule.intervalMs, nextDue: 0, running: false };
    const cron = new Cron(check.schedule.cron, { paused: true });
    const [a, b] = cron.nextRuns(2);
    const period = a && b ? b.getTime() - a.getTime() : 60_000;
    return { check, cron, offsetMs: fraction * Math.min(this.options.cronSpreadMs ?? 10_000, period / 2), nextDue: 0, running: false };
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

  private arm(state: CheckState): void {
    if (!Number.isFinite(state.nextDue) || this.controller.signal.aborted) return;
    const delay = Math.min(Math.max(0, state.nextDue - clock()), MAX_TIMER_MS);
    state.timer = setTimeout(() => this.onTimer(state), delay);
  }

  private onTimer(state: CheckState): void {
    const now = clock();
    if (now < state.nextDue - 1) return this.arm(state); // woke early from a long wait
    const dueAt = state.nextDue;
    // Schedule the next run from now: runs missed while the process was stalled are dropped.
    state.nextDue = this.nextDueAfter(state, Math.max(now, dueAt));
    this.arm(state);
    if (state.running) {
      this.stats.skippedBusy++;
      return;
    }
    const work = this.runOnce(state, dueAt);
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  private async runOnce(state: CheckState, dueAt: number): Promise<void> {
    state.running = true;
    await this.limit.acquire();
    try {
      const startedAt = clock();
      if (startedAt >= state.nextDue || this.controller.signal.aborted) {
        this.stats.skippedLate++;
        return;
      }
      this.stats.runs++;
      const result = await this.options.run(state.check, this.controller.signal);
      // A probe cut short by stop() says nothing about the endpoint: it is not reported.
      if (this.controller.signal.aborted) {
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

/** Epoch milliseconds with sub-millisecond resolution. */
function clock(): number {
  return performance.timeOrigin + performance.now();
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
