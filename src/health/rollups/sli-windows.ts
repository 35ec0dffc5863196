// In-memory ring buffers of SLI counts per series (minute slots for 6 h, hour slots for 35 d), so every
// SLO and burn-rate window is a short sum, without reading the store at each evaluation.
import { networkFailures, seriesSignal } from './bucket-merge.js';
import { LatencySketch } from '../../sketch/latency-sketch.js';
import { type Bucket, inScope, LEVEL_MS } from './bucket.js';

/** Counts over a window. latGood[i] counts calls under latencyThresholdsMs[i]. */
export interface SliCounts {
  total: number;
  failed: number;
  /** Failed calls a local fault could explain (bucket-merge.ts networkFailures). */
  networkFailed: number;
  /** Calls with a latency measurement (TCP connects and successful checks). */
  latTotal: number;
  latGood: number[];
  tcpAttempts: number;
  /** Failed connects among tcpAttempts (the rest of `failed` are check runs). */
  tcpFailed: number;
  resets: number;
  retransmits: number;
}

const F_TOTAL = 0;
const F_FAILED = 1;
const F_LAT = 2;
const F_TCP = 3;
const F_RST = 4;
const F_RETX = 5;
const F_NET = 6;
const F_TCPFAIL = 7;
const F_GOOD = 8;

interface Ring {
  width: number;
  slots: number;
  starts: Float64Array;
  values: Uint32Array;
}

interface SeriesRings {
  minute: Ring;
  hour: Ring | null;
}

const { minute: MINUTE, hour: HOUR } = LEVEL_MS;

export class SliWindows {
  readonly thresholdsMs: readonly number[];
  private readonly fields: number;
  private readonly series = new Map<string, SeriesRings>();
  private readonly minuteSlots: number;
  private readonly hourSlots: number;

  constructor(thresholdsMs: readonly number[], retention = { minuteMs: 6 * HOUR, hourMs: 35 * 24 * HOUR }) {
    this.thresholdsMs = thresholdsMs;
    this.fields = F_GOOD + thresholdsMs.length;
    this.minuteSlots = Math.ceil(retention.minuteMs / MINUTE) + 1;
    this.hourSlots = Math.ceil(retention.hourMs / HOUR) + 1;
  }

  private ring(width: number, slots: number): Ring {
    return { width, slots, starts: new Float64Array(slots).fill(-1), values: new Uint32Array(slots * this.fields) };
  }

  /** Drops the series whose key `gone` says, e.g. those of forgotten endpoints and providers. */
  forget(gone: (key: string) => boolean): void {
    for (const key of this.series.keys()) if (gone(key)) this.series.delete(key);
  }

  keys(): IterableIterator<string> {
    return this.series.keys();
  }

  has(key: string): boolean {
    return this.series.has(key);
  }

  /**
   * Adds a minute or hour bucket; minute buckets of providers and endpoints also feed the hour ring
   * unless feedHour is false (warm-up from the store, which loads hour buckets separately).
   */
  add(b: Bucket, feedHour = true): void {
    let s = this.series.get(b.key);
    const long = inScope(b.key, 'provider') || inScope(b.key, 'endpoint');
    if (!s) {
      s = { minute: this.ring(MINUTE, this.minuteSlots), hour: long ? this.ring(HOUR, this.hourSlots) : null };
      this.series.set(b.key, s);
    }
    const row = this.row(b);
    if (b.level === 'minute') {
      this.addTo(s.minute, b.start, row);
      if (s.hour && feedHour) this.addTo(s.hour, b.start - (b.start % HOUR), row);
    } else if (b.level === 'hour' && s.hour) {
      this.addTo(s.hour, b.start, row);
    }
  }

  private row(b: Bucket): number[] {
    const c = b.counters;
    const calls = seriesSignal(b.key, c);
    const row = new Array<number>(this.fields).fill(0);
    row[F_TOTAL] = calls.total;
    row[F_FAILED] = calls.failed;
    row[F_NET] = networkFailures(b.key, c);
    row[F_TCPFAIL] = c.tcpFailed ?? 0;
    row[F_TCP] = c.tcpAttempts ?? 0;
    row[F_RST] = c.tcpResets ?? 0;
    row[F_RETX] = c.tcpRetransmits ?? 0;
    const sketches = [b.latency.connect, b.latency.probeTotal].filter((x) => x !== undefined).map((d) => LatencySketch.from(d));
    for (const sk of sketches) row[F_LAT] += sk.count;
    this.thresholdsMs.forEach((t, i) => {
      for (const sk of sketches) row[F_GOOD + i] += sk.countBelow(t);
    });
    return row;
  }

  private addTo(ring: Ring, start: number, row: number[]): void {
    const slot = Math.floor(start / ring.width) % ring.slots;
    const base = slot * this.fields;
    if (ring.starts[slot] !== start) {
      if (ring.starts[slot] > start) return; // older than what the ring keeps
      ring.starts[slot] = start;
      ring.values.fill(0, base, base + this.fields);
    }
    for (let i = 0; i < this.fields; i++) ring.values[base + i] += row[i];
  }

  /**
   * Counts over [now - windowMs, now): minute slots when the window fits in them, else hour slots
   * (whose first hour may be partly outside the window: hourly resolution for long windows).
   */
  sum(key: string, windowMs: number, now: number): SliCounts {
    const out: SliCounts = { total: 0, failed: 0, networkFailed: 0, latTotal: 0, latGood: this.thresholdsMs.map(() => 0), tcpAttempts: 0, tcpFailed: 0, resets: 0, retransmits: 0 };
    const s = this.series.get(key);
    if (!s) return out;
    const useMinute = windowMs <= (this.minuteSlots - 1) * MINUTE || !s.hour;
    const ring = useMinute ? s.minute : (s.hour as Ring);
    const from = now - windowMs;
    // A slot counts when its bucket starts inside the window (a partly covered first bucket is left out).
    const firstStart = Math.ceil(from / ring.width) * ring.width;
    const f = this.fields;
    for (let slot = 0; slot < ring.slots; slot++) {
      const st = ring.starts[slot];
      if (st < firstStart || st >= now) continue;
      const base = slot * f;
      out.total += ring.values[base + F_TOTAL];
      out.failed += ring.values[base + F_FAILED];
      out.networkFailed += ring.values[base + F_NET];
      out.latTotal += ring.values[base + F_LAT];
      out.tcpAttempts += ring.values[base + F_TCP];
      out.tcpFailed += ring.values[base + F_TCPFAIL];
      out.resets += ring.values[base + F_RST];
      out.retransmits += ring.values[base + F_RETX];
      for (let i = 0; i < this.thresholdsMs.length; i++) out.latGood[i] += ring.values[base + F_GOOD + i];
    }
    return out;
  }
  /**
   * Counts over several windows ending at `now` in one backward walk per ring: windows that fit in
   * the minute ring use it, longer ones the hour ring (hourly resolution). Same rules as sum().
   */
  sums(key: string, windowsMs: readonly number[], now: number): Map<number, SliCounts> {
    const out = new Map<number, SliCounts>();
    const empty = () => ({ total: 0, failed: 0, networkFailed: 0, latTotal: 0, latGood: this.thresholdsMs.map(() => 0), tcpAttempts: 0, tcpFailed: 0, resets: 0, retransmits: 0 });
    const s = this.series.get(key);
    if (!s) {
      for (const w of windowsMs) out.set(w, empty());
      return out;
    }
    const minuteLimit = (this.minuteSlots - 1) * MINUTE;
    const short = windowsMs.filter((w) => w <= minuteLimit || !s.hour).sort((a, b) => a - b);
    const long = windowsMs.filter((w) => !(w <= minuteLimit || !s.hour)).sort((a, b) => a - b);
    if (short.length) this.walk(s.minute, short, now, out, empty);
    if (long.length && s.hour) this.walk(s.hour, long, now, out, empty);
    return out;
  }

  private walk(ring: Ring, windows: number[], now: number, out: Map<number, SliCounts>, empty: () => SliCounts): void {
    const f = this.fields;
    const acc = new Float64Array(f);
    let w = 0;
    // Newest bucket start that is before now; walk back one width at a time.
    let start = Math.floor((now - 1) / ring.width) * ring.width;
    const emit = () => {
      const c = empty();
      c.total = acc[F_TOTAL];
      c.failed = acc[F_FAILED];
      c.networkFailed = acc[F_NET];
      c.latTotal = acc[F_LAT];
      c.tcpAttempts = acc[F_TCP];
      c.tcpFailed = acc[F_TCPFAIL];
      c.resets = acc[F_RST];
      c.retransmits = acc[F_RETX];
      for (let i = 0; i < this.thresholdsMs.length; i++) c.latGood[i] = acc[F_GOOD + i];
      return c;
    };
    for (let n = 0; n < ring.slots && w < windows.length; n++, start -= ring.width) {
      // Emit every window whose first counted bucket start is after this one.
      while (w < windows.length && start < Math.ceil((now - windows[w]) / ring.width) * ring.width) out.set(windows[w++], emit());
      if (w >= windows.length) break;
      const slot = Math.floor(start / ring.width) % ring.slots;
      if (ring.starts[slot] !== start) continue;
      const base = slot * f;
      for (let i = 0; i < f; i++) acc[i] += ring.values[base + i];
    }
    while (w < windows.length) out.set(windows[w++], emit());
  }
}
