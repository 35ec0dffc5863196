// Pre-aggregates events into 1-minute buckets per endpoint, provider and bounded breakdowns (host, process, resolver).
//
// Raw events are never kept: each one bumps counters (and a latency sketch for endpoints and
// DNS) in the bucket of its minute. drain() hands the pending minute buckets over in one batch;
// provider buckets are derived there from their endpoints, so the hot path touches as few
// objects as possible. Hour and day rollups are made from these by the engine (rollup.ts).
import { lookupFailed } from '../../dns/lookup-outcome.js';
import { NETWORK_FAILURE_KINDS, type ProbeResult, type ProbeType, type TcpEvent } from '../../events.js';
import type { EndpointLabel } from '../../external/endpoint-label.js';
import { endpointName, type LabeledEvent, type LabeledLookup } from '../../external/labeled-event.js';
import { inScope, LEVEL_MS, parseSeriesKey, seriesKey, type Bucket, type BucketCounters, type LatencySignal } from './bucket.js';
import { mergeCounters } from './bucket-merge.js';
import { LatencySketch } from '../../sketch/latency-sketch.js';
import type { EventOrigin } from '../signal-inputs.js';
import type { SeriesLimits } from '../engine-settings.js';

/** Provider id for addresses and names no labelling source knows. */
export const UNKNOWN_PROVIDER = 'unknown';
/** Value that breakdowns and endpoints beyond their limit fold into. */
export const OTHER = 'other';
/** Provider that discovered providers beyond their limit fold into. */
export const OTHER_PROVIDER = 'other';

export interface AggregatorOptions {
  /** This host's name: the host breakdown of events without an origin. */
  hostName: string;
  /** Values kept per provider and dimension (host, process, resolver). */
  breakdownLimit: number;
  /** Providers and endpoints kept; further ones fold into "other" and "<provider>|other". */
  limits: Omit<SeriesLimits, 'memoryBytes'>;
}

/** What forgetIdle() dropped: the engine forgets their windows too. */
export interface Forgotten {
  endpointKeys: string[];
  providers: string[];
}

/** What the engine knows about an endpoint besides its numbers. */
export interface EndpointInfo {
  id: string;
  providerId: string;
  name: string;
  service: string | null;
  region: string | null;
  /** Set for endpoints that are blackbox checks. */
  probeType: ProbeType | null;
  lastSeen: number;
  /** Set when the endpoint was named by its bare address and the host has since resolved its name: it lives on under that name. */
  renamedTo?: string;
}

interface PendingBucket {
  key: string;
  start: number;
  counters: BucketCounters;
  sketches: Partial<Record<LatencySignal, LatencySketch>>;
}

/**
 * A destination address and port with its endpoint, and the buckets it last wrote to: most events
 * hit the same minute, host and process as the previous one, so the hot path skips the map lookups.
 */
interface TcpTarget {
  /** The label the endpoint was named from: a new label for the address (passive DNS learned its name) names it again. */
  label: EndpointLabel;
  endpointKey: string;
  info: EndpointInfo;
  /** Drain generation and minute the cached buckets belong to. */
  gen: number;
  minute: number;
  bucket: PendingBucket | null;
  host: string;
  hostBucket: PendingBucket | null;
  comm: string;
  procBucket: PendingBucket | null;
}

export interface AggregatorCounters {
  /** Events taken into buckets, by type. */
  ingested: Record<string, number>;
  /** Events whose address or name had no provider label. */
  unlabelled: number;
  /** Events folded into "other" because a limit was reached. */
  folded: number;
  /** Of those, events of discovered providers counted as provider "other". */
  foldedProviders: number;
}

const { minute: MINUTE } = LEVEL_MS;
/** Address and port pairs whose endpoint lookup is cached. */
const MAX_TCP_TARGETS = 20_000;

export class EventAggregator {
  private readonly opts: AggregatorOptions;
  private pending = new Map<number, Map<string, PendingBucket>>();
  private curStart = -1;
  private cur: Map<string, PendingBucket> = new Map();
  /** Destination address → port → target (nested so the hot path builds no strings). */
  private readonly tcpTargets = new Map<string, Map<number, TcpTarget>>();
  private tcpTargetCount = 0;
  /** Bumped by drain(): cached bucket references older than this are stale. */
  private gen = 0;
  private readonly endpointInfo = new Map<string, EndpointInfo>();
  private readonly endpointsPerProvider = new Map<string, number>();
  private readonly breakdownValues = new Map<string, Set<string>>();
  /** Host → zone, as reported by event origins. */
  readonly hostZones = new Map<string, string>();
  /** Providers seen, with their display names. */
  readonly providers = new Set<string>();
  readonly counters: AggregatorCounters = { ingested: {}, unlabelled: 0, folded: 0, foldedProviders: 0 };
  /** Discovered providers with their own series (the rest count as "other"). */
  private readonly discovered = new Set<string>();
  /** Endpoints with their own series, of all providers (not counting the "other" ones). */
  private endpointCount = 0;
  /** While set (memory is short), no new provider or endpoint gets series of its own. */
  shedding = false;

  constructor(opts: AggregatorOptions) {
    this.opts = opts;
  }

  /** Every endpoint seen so far, by series key ("endpoint|<provider>|<id>"). */
  endpoints(): ReadonlyMap<string, EndpointInfo> {
    return this.endpointInfo;
  }

  private bucketsFor(ts: number): Map<string, PendingBucket> {
    const start = ts - (ts % MINUTE);
    if (start === this.curStart) return this.cur;
    let map = this.pending.get(start);
    if (!map) {
      map = new Map();
      this.pending.set(start, map);
    }
    this.curStart = start;
    this.cur = map;
    return map;
  }

  private bucket(map: Map<string, PendingBucket>, key: string, ts: number): PendingBucket {
    let b = map.get(key);
    if (!b) {
      b = { key, start: ts - (ts % MINUTE), counters: {}, sketches: {} };
      map.set(key, b);
    }
    return b;
  }

  private breakdownKey(dim: 'host' | 'process' | 'resolver', provider: string, value: string): string {
    const id = seriesKey(dim, provider);
    let set = this.breakdownValues.get(id);
    if (!set) {
      set = new Set();
      this.breakdownValues.set(id, set);
    }
    if (!set.has(value)) {
      if (set.size >= this.opts.breakdownLimit) {
        this.counters.folded++;
        return seriesKey(dim, provider, OTHER);
      }
      set.add(value);
    }
    return seriesKey(dim, provider, value);
  }

  /** Events about endpoints, with their labels (the labelling stage's output). */
  ingestEvents(events: readonly LabeledEvent[], origin?: EventOrigin): void {
    const host = origin?.host ?? this.opts.hostName;
    if (origin?.host && origin.zone) this.hostZones.set(origin.host, origin.zone);
    let tcp = 0;
    let probe = 0;
    for (const e of events) {
      if (!e.label.provider) this.counters.unlabelled++;
      if (e.event.type === 'tcp') {
        this.ingestTcp(e.event, e, host);
        tcp++;
      } else {
        this.ingestProbe(e.event, e, host);
        probe++;
      }
    }
    if (tcp) this.counters.ingested.tcp = (this.counters.ingested.tcp ?? 0) + tcp;
    if (probe) this.counters.ingested.probe = (this.counters.ingested.probe ?? 0) + probe;
  }

  private tcpTarget(ev: TcpEvent, labeled: LabeledEvent): TcpTarget {
    let ports = this.tcpTargets.get(ev.dst);
    let t = ports?.get(ev.dport);
    if (t && t.label === labeled.label) return t;
    const label = labeled.label;
    const info = this.endpoint(this.providerOf(label), endpointName(labeled), label.service ?? null, label.region ?? null, null);
    const endpointKey = seriesKey('endpoint', info.providerId, info.id);
    if (t) {
      // Same address and port, newly named: later events count towards the endpoint it now is,
      // and an endpoint named by the bare address leaves the list for it (its history stays).
      if (t.endpointKey !== endpointKey) {
        if (!t.label.hostname && label.hostname) t.info.renamedTo = info.id;
        Object.assign(t, { endpointKey, info, gen: -1, minute: -1, bucket: null, hostBucket: null, procBucket: null });
      }
      t.label = label;
      return t;
    }
    t = { label, endpointKey, info, gen: -1, minute: -1, bucket: null, host: '', hostBucket: null, comm: '', procBucket: null };
    // Endpoints fold into "other" beyond their limit; the address table is capped on its own
    // (beyond it, events still count, only without the cached lookups).
    if (this.tcpTargetCount < MAX_TCP_TARGETS) {
      if (!ports) {
        ports = new Map();
        this.tcpTargets.set(ev.dst, ports);
      }
      ports.set(ev.dport, t);
      this.tcpTargetCount++;
    }
    return t;
  }

  /**
   * The provider an event counts towards: its label's, unless the label only names a domain and
   * the discovered providers are at their limit (or memory is short): then "other".
   */
  private providerOf(label: EndpointLabel): string {
    const provider = label.provider || UNKNOWN_PROVIDER;
    if (!label.discovered || this.discovered.has(provider)) return provider;
    if (this.shedding || this.discovered.size >= this.opts.limits.discoveredProviders) {
      this.counters.foldedProviders++;
      return OTHER_PROVIDER;
    }
    this.discovered.add(provider);
    return provider;
  }

  private endpoint(provider: string, name: string, service: string | null, region: string | null, probeType: ProbeType | null): EndpointInfo {
    this.providers.add(provider);
    const id = `${provider}|${name}`;
    let info = this.endpointInfo.get(seriesKey('endpoint', provider, id));
    if (info) return info;
    const n = this.endpointsPerProvider.get(provider) ?? 0;
    if (n >= this.opts.limits.endpointsPerProvider || this.endpointCount >= this.opts.limits.endpoints || this.shedding) {
      this.counters.folded++;
      const otherId = `${provider}|${OTHER}`;
      const otherKey = seriesKey('endpoint', provider, otherId);
      info = this.endpointInfo.get(otherKey);
      if (!info) {
        info = { id: otherId, providerId: provider, name: OTHER, service: null, region: null, probeType: null, lastSeen: 0 };
        this.endpointInfo.set(otherKey, info);
      }
      return info;
    }
    this.endpointsPerProvider.set(provider, n + 1);
    this.endpointCount++;
    info = { id, providerId: provider, name, service, region, probeType, lastSeen: 0 };
    this.endpointInfo.set(seriesKey('endpoint', provider, id), info);
    return info;
  }

  private ingestTcp(ev: TcpEvent, labeled: LabeledEvent, host: string): void {
    const kind = ev.event;
    const target = this.tcpTarget(ev, labeled);
    const ts = ev.ts;
    const minute = ts - (ts % MINUTE);
    const provider = target.info.providerId;
    const comm = ev.comm || 'unknown';
    if (target.gen !== this.gen || target.minute !== minute) {
      const map = this.bucketsFor(ts);
      target.gen = this.gen;
      target.minute = minute;
      target.bucket = this.bucket(map, target.endpointKey, ts);
      target.hostBucket = null;
      target.procBucket = null;
    }
    if (target.hostBucket === null || target.host !== host) {
      target.host = host;
      target.hostBucket = this.bucket(this.bucketsFor(ts), this.breakdownKey('host', provider, host), ts);
    }
    if (target.procBucket === null || target.comm !== comm) {
      target.comm = comm;
      target.procBucket = this.bucket(this.bucketsFor(ts), this.breakdownKey('process', provider, comm), ts);
    }
    const b = target.bucket as PendingBucket;
    if (ts > target.info.lastSeen) target.info.lastSeen = ts;
    const c = b.counters;
    const hb = target.hostBucket.counters;
    const pb = target.procBucket.counters;
    switch (kind) {
      case 'established': {
        c.tcpAttempts = (c.tcpAttempts ?? 0) + 1;
        hb.tcpAttempts = (hb.tcpAttempts ?? 0) + 1;
        pb.tcpAttempts = (pb.tcpAttempts ?? 0) + 1;
        if (ev.latencyMs !== undefined) (b.sketches.connect ??= new LatencySketch()).add(ev.latencyMs);
        break;
      }
      case 'failed': {
        c.tcpAttempts = (c.tcpAttempts ?? 0) + 1;
        c.tcpFailed = (c.tcpFailed ?? 0) + 1;
        if (ev.reason === 'refused') c.tcpRefused = (c.tcpRefused ?? 0) + 1;
        else if (ev.reason === 'timeout') c.tcpTimeout = (c.tcpTimeout ?? 0) + 1;
        hb.tcpAttempts = (hb.tcpAttempts ?? 0) + 1;
        hb.tcpFailed = (hb.tcpFailed ?? 0) + 1;
        pb.tcpAttempts = (pb.tcpAttempts ?? 0) + 1;
        pb.tcpFailed = (pb.tcpFailed ?? 0) + 1;
        break;
      }
      case 'reset':
        c.tcpResets = (c.tcpResets ?? 0) + 1;
        hb.tcpResets = (hb.tcpResets ?? 0) + 1;
        pb.tcpResets = (pb.tcpResets ?? 0) + 1;
        break;
      case 'retransmit':
        c.tcpRetransmits = (c.tcpRetransmits ?? 0) + 1;
        if (ev.syn) c.tcpSynRetransmits = (c.tcpSynRetransmits ?? 0) + 1;
        hb.tcpRetransmits = (hb.tcpRetransmits ?? 0) + 1;
        pb.tcpRetransmits = (pb.tcpRetransmits ?? 0) + 1;
        break;
    }
  }

  private ingestProbe(ev: ProbeResult, labeled: LabeledEvent, host: string): void {
    const { label } = labeled;
    const provider = this.providerOf(label);
    const info = this.endpoint(provider, endpointName(labeled), label.service ?? null, label.region ?? null, ev.probe);
    if (info.probeType === null && info.name !== OTHER) info.probeType = ev.probe;
    if (ev.ts > info.lastSeen) info.lastSeen = ev.ts;
    const ts = ev.ts;
    const map = this.bucketsFor(ts);
    const b = this.bucket(map, seriesKey('endpoint', provider, info.id), ts);
    const failed = ev.ok ? 0 : 1;
    const network = failed && ev.error !== undefined && NETWORK_FAILURE_KINDS.has(ev.error.kind);
    for (const k of [b.counters, this.bucket(map, this.breakdownKey('host', provider, host), ts).counters]) {
      k.probeTotal = (k.probeTotal ?? 0) + 1;
      if (failed) k.probeFailed = (k.probeFailed ?? 0) + 1;
      if (network) k.probeNetworkFailed = (k.probeNetworkFailed ?? 0) + 1;
    }
    const p = ev.phases;
    const s = b.sketches;
    if (p.dnsMs !== undefined) (s.probeDns ??= new LatencySketch()).add(p.dnsMs);
    if (p.connectMs !== undefined) (s.probeConnect ??= new LatencySketch()).add(p.connectMs);
    if (p.tlsMs !== undefined) (s.probeTls ??= new LatencySketch()).add(p.tlsMs);
    if (p.firstByteMs !== undefined) (s.probeFirstByte ??= new LatencySketch()).add(p.firstByteMs);
    // Failed probes' durations say how long the failure took, not how fast the endpoint is.
    if (ev.ok) (s.probeTotal ??= new LatencySketch()).add(p.totalMs);
  }

  /** DNS lookups count towards the provider that owns the name (and the resolver breakdown). */
  ingestLookups(lookups: readonly LabeledLookup[], origin?: EventOrigin): void {
    const host = origin?.host ?? this.opts.hostName;
    for (const { tx, provider: owner } of lookups) {
      const provider = owner || UNKNOWN_PROVIDER;
      if (!owner) this.counters.unlabelled++;
      this.providers.add(provider);
      const ts = tx.ts;
      const map = this.bucketsFor(ts);
      const b = this.bucket(map, seriesKey('provider', provider), ts);
      const failed = lookupFailed(tx);
      const keys = [b.counters,
        this.bucket(map, this.breakdownKey('host', provider, host), ts).counters,
        this.bucket(map, this.breakdownKey('process', provider, tx.comm || 'unknown'), ts).counters,
        this.bucket(map, this.breakdownKey('resolver', provider, tx.server), ts).counters];
      for (const k of keys) {
        k.dnsTotal = (k.dnsTotal ?? 0) + 1;
        if (failed) k.dnsFailed = (k.dnsFailed ?? 0) + 1;
      }
      if (!failed && tx.latencyMs !== undefined) (b.sketches.dns ??= new LatencySketch()).add(tx.latencyMs);
    }
    this.counters.ingested.dns = (this.counters.ingested.dns ?? 0) + lookups.length;
  }

  /**
   * Forgets endpoints unseen since `since` (freeing their places for new ones) and discovered
   * providers left without endpoints; their history stays in the store.
   */
  forgetIdle(since: number): Forgotten {
    const forgotten: Forgotten = { endpointKeys: [], providers: [] };
    const active = new Set<string>();
    for (const [key, info] of this.endpointInfo) {
      if (info.lastSeen >= since) {
        active.add(info.providerId);
        continue;
      }
      this.endpointInfo.delete(key);
      forgotten.endpointKeys.push(key);
      if (info.name === OTHER) continue;
      this.endpointCount--;
      const n = (this.endpointsPerProvider.get(info.providerId) ?? 1) - 1;
      if (n > 0) this.endpointsPerProvider.set(info.providerId, n);
      else this.endpointsPerProvider.delete(info.providerId);
    }
    for (const provider of this.discovered) {
      if (active.has(provider)) continue;
      this.discovered.delete(provider);
      this.providers.delete(provider);
      for (const dim of ['host', 'process', 'resolver'] as const) this.breakdownValues.delete(seriesKey(dim, provider));
      forgotten.providers.push(provider);
    }
    if (forgotten.endpointKeys.length === 0) return forgotten;
    const gone = new Set(forgotten.endpointKeys);
    for (const [ip, ports] of this.tcpTargets) {
      for (const [port, t] of ports) {
        if (!gone.has(t.endpointKey)) continue;
        ports.delete(port);
        this.tcpTargetCount--;
      }
      if (ports.size === 0) this.tcpTargets.delete(ip);
    }
    return forgotten;
  }

  /** True when nothing is waiting for drain(). */
  get empty(): boolean {
    return this.pending.size === 0;
  }

  /**
   * Hands over every pending minute bucket (endpoint, breakdown and provider, the latter merged
   * from its endpoints) and starts afresh.
   */
  drain(): Bucket[] {
    const out: Bucket[] = [];
    for (const map of this.pending.values()) {
      const providers = new Map<string, PendingBucket>();
      for (const b of map.values()) {
        if (inScope(b.key, 'provider')) providers.set(b.key, b);
      }
      for (const b of map.values()) {
        if (!inScope(b.key, 'endpoint')) continue;
        const pk = seriesKey('provider', parseSeriesKey(b.key).provider);
        let p = providers.get(pk);
        if (!p) {
          p = { key: pk, start: b.start, counters: {}, sketches: {} };
          providers.set(pk, p);
          map.set(pk, p);
        }
        mergeCounters(p.counters, b.counters);
        for (const k in b.sketches) {
          const signal = k as LatencySignal;
          const s = b.sketches[signal];
          if (s) (p.sketches[signal] ??= new LatencySketch()).merge(s);
        }
      }
      for (const b of map.values()) {
        const latency: Bucket['latency'] = {};
        for (const k in b.sketches) {
          const s = b.sketches[k as LatencySignal];
          if (s && s.count > 0) latency[k as LatencySignal] = s.toData();
        }
        out.push({ key: b.key, level: 'minute', start: b.start, counters: b.counters, latency });
      }
    }
    this.pending = new Map();
    this.curStart = -1;
    this.cur = new Map();
    this.gen++;
    return out;
  }
}
