// Runs a push (remote write, OTLP) every interval, one at a time, and says once when pushing
// starts failing and once when it works again, rather than at every attempt.
import { oneLine } from '../errors.js';

export interface PushScheduleOptions {
  intervalMs: number;
  /** One push; throws when the receiver did not take it. */
  push: () => Promise<void>;
  /** What failing and recovering are called in the log, e.g. "remote write: push to URL". */
  name: string;
  log: (line: string, level: 'warn' | 'info') => void;
  /** Counted per push. */
  stats: { ok: () => void; failed: () => void };
}

export class PushSchedule {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private failing = false;

  constructor(private readonly options: PushScheduleOptions) {}

  start(): void {
    this.timer = setInterval(() => {
      // A push still on its way (a slow receiver) is not overtaken by the next one.
      this.running = this.running.then(() => this.once());
    }, this.options.intervalMs);
    this.timer.unref();
  }

  /** Stops the schedule after one last push, so the final counts reach the receiver. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    await this.once();
  }

  async once(): Promise<void> {
    const { name, log, stats } = this.options;
    try {
      await this.options.push();
      stats.ok();
      if (this.failing) log(`${name} works again`, 'info');
      this.failing = false;
    } catch (err) {
      stats.failed();
      if (!this.failing) log(`${name} failed (${oneLine(err)}); retrying every ${this.options.intervalMs / 1000} s`, 'warn');
      this.failing = true;
    }
  }
}
