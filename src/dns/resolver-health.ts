// Per-resolver counters in fixed time windows: queries, answers, timeouts, rcodes and a latency
// sketch per window. Windows merge into the figures for any span, feed the spike baselines and
// the load-versus-latency comparison, and are dropped past the horizon so memory stays bounded.
import { DistinctNames } from './distinct-names.js';
import { LatencySketch } from '../sketch/latency-sketch.js';

export interface HealthWindow {
  /** Window start, ms since the epoch. */
  start: number;
  queries: number;
  answered: number;
  timeouts: number;
  /** Queries refused at once by an ICMP destination-unreachable error (nothing listens, no route). */
  unreachable: number;
  retransmissions: number;
  retries: number;
  stalled: number;
  rcodes: Record<string, number>;
  latency: LatencySketch;
  /** NXDOMAIN and SERVFAIL answers by zone (few zones kept), for naming the zone of a spike. */
  failZones: Map<string, { nxdomain: number; servfail: number; nxNames: DistinctNames | null }>;
  /** NXDOMAIN and REFUSED answers by name and by asker (process, else client address; few kept), for naming them in findings. */
  failDetail: Partial<Record<DetailRcode, { names: Map<string, number>; askers: Map<string, number> }>>;
}

/** The answers whose names and askers findings name. */
export type DetailRcode = 'NXDOMAIN' | 'REFUSED';

const FAIL_ZONES_KEPT = 64;
const DETAIL_KEPT = 64;
const CLIENTS_KEPT = 1_000;

export function emptyWindow(start: number, alpha: number): HealthWindow {
  return { start, queries: 0, answered: 0, timeouts: 0, unreachable: 0, retransmissions: 0, retries: 0, stalled: 0, rcodes: {}, latency: new LatencySketch(alpha), failZones: new Map(), failDetail: {} };
}

export function mergeWindow(into: HealthWindow, from: HealthWindow): void {
  into.queries += from.queries;
  into.answered += from.answered;
  into.timeouts += from.timeouts;
  into.unreachable += from.unreachable;
  into.retransmissions += from.retransmissions;
  into.retries += from.retries;
  into.stalled += from.stalled;
  for (const [k, v] of Object.entries(from.rcodes)) into.rcodes[k] = (into.rcodes[k] ?? 0) + v;
  into.latency.merge(from.latency);
}

export class ResolverState {
  readonly windows: HealthWindow[] = [];
  /** Distinct clients seen (capped: the count is a lower bound past the cap). */
  readonly clients = new Set<string>();
  firstTs = Infinity;
  lastTs = -Infinity;
  /** When the newest answer arrived; queries timed out after it make the resolver look down. */
  lastAnswerTs = -Infinity;
  /** Timeouts of queries sent after the newest answer, and when they were sent and noticed. */
  silentTimeouts = 0;
  silentFirstTs = Infinity;
  silentLastTs = -Infinity;
  /** Queries sent after the newest answer (timed out or still open). */
  silentQueries = 0;
  /** Of those, refused by ICMP unreachable errors, and what the last one said. */
  silentUnreachable = 0;
  unreachableReason = '';

  constructor(
    readonly server: string,
    private readonly windowMs: number,
    private readonly alpha: number,
    /** Called with the window that just closed and the ones before it. */
    private readonly onWindowClosed: (state: ResolverState, closed: HealthWindow, before: HealthWindow[]) => void,
  ) {}

  /** The window for time ts; never goes back before the newest window (late timeouts land there). */
  window(ts: number): HealthWindow {
    const start = Math.floor(ts / this.windowMs) * this.windowMs;
    const last = this.windows[this.windows.length - 1];
    if (last && start <= last.start) return last;
    const w = emptyWindow(start, this.alpha);
    this.windows.push(w);
    if (last) this.onWindowClosed(this, last, this.windows.slice(0, -2));
    return w;
  }

  noteAnswer(ts: number): void {
    if (ts < this.lastAnswerTs) return;
    this.lastAnswerTs = ts;
    this.silentTimeouts = 0;
    this.silentQueries = 0;
    this.silentUnreachable = 0;
    this.silentFirstTs = Infinity;
    this.silentLastTs = -Infinity;
  }

  /** An ICMP unreachable error for a query sent at sentTs: evidence, like a timeout, that the resolver is not serving. */
  noteUnreachable(sentTs: number, now: number, reason: string): void {
    if (sentTs <= this.lastAnswerTs) return;
    this.silentUnreachable++;
    this.unreachableReason = reason;
    this.silentFirstTs = Math.min(this.silentFirstTs, sentTs);
    this.silentLastTs = Math.max(this.silentLastTs, now);
  }

  noteTimeout(sentTs: number, now: number): void {
    if (sentTs <= this.lastAnswerTs) return;
    this.silentTimeouts++;
    this.silentFirstTs = Math.min(this.silentFirstTs, sentTs);
    this.silentLastTs = Math.max(this.silentLastTs, now);
  }

  noteClient(client: string): void {
    if (this.clients.size < CLIENTS_KEPT) this.clients.add(client);
  }

  noteFailZone(w: HealthWindow, zone: string, rcode: 'NXDOMAIN' | 'SERVFAIL', name: string): void {
    let z = w.failZones.get(zone);
    if (!z) {
      if (w.failZones.size >= FAIL_ZONES_KEPT) return;
      z = { nxdomain: 0, servfail: 0, nxNames: null };
      w.failZones.set(zone, z);
    }
    if (rcode === 'NXDOMAIN') {
      z.nxdomain++;
      // Distinct names answered NXDOMAIN: a flood of random subdomains shows as nearly one per answer.
      (z.nxNames ??= new DistinctNames()).add(name);
    } else z.servfail++;
  }

  noteFailDetail(w: HealthWindow, rcode: DetailRcode, name: string, asker: string): void {
    const d = (w.failDetail[rcode] ??= { names: new Map(), askers: new Map() });
    countCapped(d.names, name);
    countCapped(d.askers, asker);
  }

  /** Drops windows that ended before `since`. */
  trim(since: number): void {
    let drop = 0;
    while (drop < this.windows.length - 1 && this.windows[drop].start + this.windowMs <= since) drop++;
    if (drop) this.windows.splice(0, drop);
  }

  /** All windows since `since`, merged. */
  merged(since: number): HealthWindow {
    const total = emptyWindow(since, this.alpha);
    for (const w of this.windows) if (w.start + this.windowMs > since) mergeWindow(total, w);
    return total;
  }
}

function countCapped(m: Map<string, number>, key: string): void {
  const n = m.get(key);
  if (n !== undefined) m.set(key, n + 1);
  else if (m.size < DETAIL_KEPT) m.set(key, 1);
}

/** The most frequent keys of a count map, most first. */
export function topKeys(m: ReadonlyMap<string, number> | undefined, n: number): string[] {
  return m ? [...m].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, n).map(([k]) => k) : [];
}
