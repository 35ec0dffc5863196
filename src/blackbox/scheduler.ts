// Runs checks on their cron expressions or intervals: start offsets spread per check, a global
// concurrency cap, no overlapping runs of one check, and missed runs skipped rather than queued.
//
// Start offsets fall on 60 slots per period (or per cron spread). The checks of one slot start
// in a row, a few milliseconds apart. A process still warm from the previous start (CPU caches,
// the virtual CPU) spends far less per probe than one woken from a long sleep for each check;
// the spacing lets each probe's connection and request go out before the next one starts, so
// starts never pile up and no probe's timing waits behind another's work.
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
  /** The span start offsets spread over: the interval, or the cron spread. */
  spanMs: number;
  offsetMs: number;
  cron?: Cron;
  nextDue: number;
  running: boolean;
}

/** The checks due at one time: one timer, then their starts a spacing apart. */
interface Slot {
  dueAt: number;
  states: CheckState[];
  /** Between starts: SLOT_SPACING_MS, less when the row would outlast the slot. */
  spacingMs: number;
  timer?: NodeJS.Timeout;
}

/** Start slots per period (or per cron spread). */
const SLOTS = 60;
/**
 * Between the starts of a slot's checks: a probe's start (connect, request) takes about 1 ms of
 * CPU, and its reply's handling about as much, so 3 ms keeps them from queueing behind each other.
 */
export const SLOT_SPACING_MS = 3;

/** Longest single timer; longer waits re-arm (setTimeout overflows past 2^31−1 ms). */
const MAX_TIMER_MS = 2 ** 30;

export class CheckScheduler {
  readonly stats: SchedulerStats = { runs: 0, skippedBusy: 0, skippedLate: 0, cancelled: 0 };
  private readonly states: CheckState[];
  private readonly limit: ConcurrencyLimit;
  private readonly controller = new AbortController();
  private readonly inFlight = new Set<Promise<void>>();
  /** Slots with a timer armed, by due time. */
  private readonly slots = new Map<number, Slot>();
  /** Timers between the starts of a slot's checks. */
  private readonly spacing = new Set<NodeJS.Timeout>();
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
    for (const slot of this.slots.values()) clearTimeout(slot.timer);
    for (const timer of this.spacing) clearTimeout(timer);
    this.slots.clear();
    this.spacing.clear();
    this.controller.abort();
    await Promise.allSettled([...this.inFlight]);
  }

  /** The next due time of each check (epoch ms), for status displays and tests. */
  schedule(): { check: string; nextDue: number; offsetMs: number }[] {
    return this.states.map((s) => ({ check: s.check.name, nextDue: s.nextDue, offsetMs: s.offsetMs }));
  }

  private prepare(check: Check): CheckState {
    const fraction = hashFraction(check.name);
    if ('intervalMs' in check.schedule) {
      const spanMs = check.schedule.intervalMs;
      return { check, spanMs, offsetMs: slotOffset(fraction, spanMs), nextDue: 0, running: false };
    }
    const cron = new Cron(check.schedule.cron, { paused: true });
    const [a, b] = cron.nextRuns(2);
    const period = a && b ? b.getTime() - a.getTime() : 60_000;
    const spanMs = Math.min(this.options.cronSpreadMs ?? 10_000, period / 2);
    return { check, cron, spanMs, offsetMs: slotOffset(fraction, spanMs), nextDue: 0, running: false };
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

  /** Puts the check in the slot of its next due time, arming the slot's timer if it is new. */
  private arm(state: CheckState): void {
    if (!Number.isFinite(state.nextDue) || this.controller.signal.aborted) return;
    let slot = this.slots.get(state.nextDue);
    if (!slot) {
      slot = { dueAt: state.nextDue, states: [], spacingMs: SLOT_SPACING_MS };
      this.slots.set(slot.dueAt, slot);
      this.armSlot(slot);
    }
    slot.states.push(state);
  }

  private armSlot(slot: Slot): void {
    const delay = Math.min(Math.max(0, slot.dueAt - clock()), MAX_TIMER_MS);
    slot.timer = setTimeout(() => this.onSlot(slot), delay);
  }

  private onSlot(slot: Slot): void {
    if (clock() < slot.dueAt - 1) return this.armSlot(slot); // woke early from a long wait
    this.slots.delete(slot.dueAt);
    // A stable order: the same checks start in the same places every period.
    slot.states.sort((a, b) => (a.check.name < b.check.name ? -1 : 1));
    // The row must end within the slot, before the next slot's row begins.
    const slotMs = Math.min(...slot.states.map((s) => s.spanMs)) / SLOTS;
    slot.spacingMs = Math.min(SLOT_SPACING_MS, slotMs / slot.states.length);
    this.startInRow(slot, 0);
  }

  /** Starts the slot's check at `index`, then times the next one a spacing later. */
  private startInRow(slot: Slot, index: number): void {
    const state = slot.states[index];
    const dueAt = slot.dueAt + index * slot.spacingMs;
    // The next run comes from now: runs missed while the process was stalled are dropped.
    state.nextDue = this.nextDueAfter(state, Math.max(clock(), slot.dueAt));
    this.arm(state);
    if (state.running) this.stats.skippedBusy++;
    else {
      const work = this.runOnce(state, dueAt);
      this.inFlight.add(work);
      void work.finally(() => this.inFlight.delete(work));
    }
    if (index + 1 >= slot.states.length) return;
    // Aim at the next start's planned time, so timer lateness does not add up along the row, but
    // leave at least two thirds of a spacing after this start. Node's timers count whole
    // milliseconds of a loop time that can lag the clock, so a gap can come out up to a
    // millisecond short; waiting again for the rest would cost a wake-up.
    const planned = slot.dueAt + (index + 1) * slot.spacingMs;
    const timer = setTimeout(() => {
      this.spacing.delete(timer);
      this.startInRow(slot, index + 1);
    }, Math.max((slot.spacingMs * 2) / 3, planned - clock()));
    this.spacing.add(timer);
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

/** A start offset within `span`: on the slot the check's hash fraction falls in. */
function slotOffset(fraction: number, span: number): number {
  return (Math.floor(fraction * SLOTS) * span) / SLOTS;
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
