// Runs a live eBPF capture inside a test and waits for events matching a predicate, so tests
// react to what was captured instead of sleeping for fixed times.
import type { CaptureEvent, CaptureSummary } from '../../src/events.js';
import { createLiveSource, type LiveCaptureOptions } from '../../src/bpf/live-source.js';

export interface LiveCaptureRun {
  events: CaptureEvent[];
  /** Resolves with the first event (from the start of the run) that matches, or rejects after timeoutMs. */
  waitFor<T extends CaptureEvent>(match: (ev: CaptureEvent) => ev is T, timeoutMs?: number): Promise<T>;
  waitFor(match: (ev: CaptureEvent) => boolean, timeoutMs?: number): Promise<CaptureEvent>;
  stop(): Promise<CaptureSummary>;
}

export async function startLiveCapture(opts: Partial<LiveCaptureOptions> = {}): Promise<LiveCaptureRun> {
  const events: CaptureEvent[] = [];
  const waiters: { match: (ev: CaptureEvent) => boolean; resolve: (ev: CaptureEvent) => void }[] = [];
  const abort = new AbortController();
  let ready!: () => void;
  const isReady = new Promise<void>((r) => (ready = r));
  const source = createLiveSource({ dnsPorts: [53], interfaces: [], conntrackIntervalMs: 0, ...opts, ready });
  const done = source.run((batch) => {
    for (const ev of batch) {
      events.push(ev);
      for (let i = waiters.length - 1; i >= 0; i--) {
        if (waiters[i].match(ev)) waiters.splice(i, 1)[0].resolve(ev);
      }
    }
  }, abort.signal);
  await Promise.race([isReady, done]);
  return {
    events,
    waitFor(match: (ev: CaptureEvent) => boolean, timeoutMs = 10_000): Promise<CaptureEvent> {
      const seen = events.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching event within ${timeoutMs} ms (captured ${events.length})`)), timeoutMs);
        waiters.push({ match, resolve: (ev) => { clearTimeout(timer); resolve(ev); } });
      });
    },
    stop: async () => {
      abort.abort();
      return done;
    },
  } as LiveCaptureRun;
}
