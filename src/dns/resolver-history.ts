// A day of per-minute figures for the busiest resolvers (queries, answers by rcode, timeouts,
// p50/p99 latency), for the DNS page's charts over the last hour and day. Fed with each closed
// health window; bounded: at most RESOLVERS_KEPT resolvers (the busiest) and 1,440 minutes each.
import { LatencySketch } from '../sketch/latency-sketch.js';
import type { HealthWindow } from './resolver-health.js';

const MINUTE = 60_000;
const MINUTES = 1440;
const RESOLVERS_KEPT = 16;

/** One minute of one resolver. */
export interface ResolverMinute {
  t: number;
  queries: number;
  answered: number;
  timeouts: number;
  nxdomain: number;
  servfail: number;
  refused: number;
  p50Ms: number | null;
  p99Ms: number | null;
}

export interface ResolverHistorySeries {
  server: string;
  /** Oldest first; minutes without traffic are absent. */
  minutes: ResolverMinute[];
}

interface Track {
  minutes: ResolverMinute[];
  current: ResolverMinute | undefined;
  sketch: LatencySketch;
  /** Queries over the kept day: what decides which resolvers are kept. */
  volume: number;
}

function emptyMinute(t: number): ResolverMinute {
  return { t, queries: 0, answered: 0, timeouts: 0, nxdomain: 0, servfail: 0, refused: 0, p50Ms: null, p99Ms: null };
}

export class ResolverHistory {
  private readonly tracks = new Map<string, Track>();

  constructor(private readonly alpha: number) {}

  /** Adds a closed health window of `server` to its minute. */
  add(server: string, w: HealthWindow): void {
    let track = this.tracks.get(server);
    if (!track) {
      if (this.tracks.size >= RESOLVERS_KEPT && !this.evictQuieterThan(w.queries)) return;
      track = { minutes: [], current: undefined, sketch: new LatencySketch(this.alpha), volume: 0 };
      this.tracks.set(server, track);
    }
    const t = w.start - (w.start % MINUTE);
    if (track.current && track.current.t !== t) this.close(track);
    const m = (track.current ??= emptyMinute(t));
    m.queries += w.queries;
    m.answered += w.answered;
    m.timeouts += w.timeouts;
    m.nxdomain += w.rcodes.NXDOMAIN ?? 0;
    m.servfail += w.rcodes.SERVFAIL ?? 0;
    m.refused += w.rcodes.REFUSED ?? 0;
    track.sketch.merge(w.latency);
    track.volume += w.queries;
  }

  /** Every kept resolver's minutes since `since` (the current minute included). */
  series(since: number): ResolverHistorySeries[] {
    const out: ResolverHistorySeries[] = [];
    for (const [server, track] of this.tracks) {
      const minutes = track.minutes.filter((m) => m.t >= since);
      if (track.current && track.current.t >= since) minutes.push(this.finished(track.current, track.sketch));
      if (minutes.length) out.push({ server, minutes });
    }
    return out.sort((a, b) => (this.tracks.get(b.server)?.volume ?? 0) - (this.tracks.get(a.server)?.volume ?? 0));
  }

  private finished(m: ResolverMinute, sketch: LatencySketch): ResolverMinute {
    return { ...m, p50Ms: sketch.quantile(0.5), p99Ms: sketch.quantile(0.99) };
  }

  private close(track: Track): void {
    if (!track.current) return;
    track.minutes.push(this.finished(track.current, track.sketch));
    track.current = undefined;
    track.sketch = new LatencySketch(this.alpha);
    // A day is kept: older minutes leave, with their share of the volume.
    const cutoff = track.minutes[track.minutes.length - 1].t - (MINUTES - 1) * MINUTE;
    while (track.minutes.length && track.minutes[0].t < cutoff) track.volume -= track.minutes.shift()!.queries;
  }

  /** Makes room for a resolver busier than the quietest kept one; false when none is quieter. */
  private evictQuieterThan(queries: number): boolean {
    let quietest: string | undefined;
    let least = Infinity;
    for (const [server, track] of this.tracks) {
      if (track.volume < least) {
        least = track.volume;
        quietest = server;
      }
    }
    if (quietest === undefined || least >= queries) return false;
    this.tracks.delete(quietest);
    return true;
  }
}
