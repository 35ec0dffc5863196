// Measures a probe's phases with the monotonic clock; phases repeated over redirects add up.
import { performance } from 'node:perf_hooks';
import type { ProbePhases } from '../events.js';

export type Phase = 'dns' | 'connect' | 'tls' | 'firstByte' | 'transfer';

const FIELD: Record<Phase, keyof ProbePhases> = { dns: 'dnsMs', connect: 'connectMs', tls: 'tlsMs', firstByte: 'firstByteMs', transfer: 'transferMs' };

export class PhaseTimer {
  /** Wall-clock start, ms since the epoch (for the result's ts). */
  readonly startedAt = Date.now();
  private readonly start = performance.now();
  private since = this.start;
  private ended: number | undefined;
  private totals = new Map<Phase, number>();
  /** The phase running now; undefined before the first mark and after stop(). */
  current: Phase | undefined;

  /**
   * Ends the running phase and starts `phase`. The first phase also takes the probe's set-up
   * time before it (as blackbox_exporter's resolve phase does), so phases add up to the total.
   */
  mark(phase: Phase, at = performance.now()): void {
    if (this.current) {
      this.close(at);
      this.since = at;
    }
    this.current = phase;
  }

  /** Records a phase that took no time (an IP literal needs no DNS). */
  zero(phase: Phase): void {
    if (!this.totals.has(phase)) this.totals.set(phase, 0);
  }

  /** Ends the running phase and the probe. */
  stop(at = performance.now()): void {
    if (this.ended !== undefined) return;
    this.close(at);
    this.current = undefined;
    this.ended = at;
  }

  /** Phases in ms, rounded to microseconds; the running phase counts up to now. */
  phases(): ProbePhases {
    const now = this.ended ?? performance.now();
    const out: ProbePhases = { totalMs: round(now - this.start) };
    for (const [phase, ms] of this.totals) out[FIELD[phase]] = round(ms);
    if (this.ended === undefined && this.current) out[FIELD[this.current]] = round((this.totals.get(this.current) ?? 0) + now - this.since);
    return out;
  }

  private close(at: number): void {
    if (this.current) this.totals.set(this.current, (this.totals.get(this.current) ?? 0) + at - this.since);
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
