// Passive DNS: which name the host asked for to get each address, learned from captured DNS
// answers. CNAME chains are followed back to the asked name; entries expire after the TTL plus
// a grace period; memory is bounded by a least-recently-used cap on addresses and a per-name cap
// (so a name with rotating addresses, like S3, keeps its recent ones without flushing others).
import type { DnsAnswer } from '../../dns/message.js';
import { canonicalIp } from '../ip/ip-address.js';

export interface PassiveDnsOptions {
  /** Addresses kept at most (least recently refreshed evicted first). */
  maxEntries?: number;
  /** Addresses kept per asked name (oldest dropped first). */
  maxAddressesPerName?: number;
  /** Kept this long after the TTL ran out: connections outlive the TTL of the answer that opened them. */
  graceMs?: number;
  /** Current time in ms; by default the newest packet time seen, so replayed captures behave as live ones. */
  now?: () => number;
}

export interface PassiveDnsName {
  /** The name the application asked for (the question of the response). */
  name: string;
  /** CNAME targets between the asked name and the address, in order. */
  chain: readonly string[];
  /** When the answer stops counting (TTL plus grace), ms since the epoch. */
  expiresAt: number;
}

export interface PassiveDnsStats {
  /** Answers recorded. */
  responses: number;
  addressesRecorded: number;
  entries: number;
  names: number;
  /** Addresses dropped by the least-recently-used cap. */
  evicted: number;
  /** Addresses dropped because their name had too many. */
  capped: number;
  /** Addresses dropped because TTL and grace ran out. */
  expired: number;
}

/** One asked name; shared by all of its addresses so that a million entries stay small. */
interface NameRecord extends PassiveDnsName {
  /** One address inline (the common case) or several, oldest first. */
  ips: string | string[];
}

const NO_CHAIN: readonly string[] = Object.freeze([]);
const SWEEP_PER_ANSWER = 8;

function normaliseName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

export class PassiveDns {
  private readonly byIp = new Map<string, NameRecord>();
  private readonly byName = new Map<string, NameRecord>();
  private readonly maxEntries: number;
  private readonly maxPerName: number;
  private readonly graceMs: number;
  private readonly clock: (() => number) | undefined;
  private latestTs = 0;
  private readonly counters = { responses: 0, addressesRecorded: 0, evicted: 0, capped: 0, expired: 0 };
  /** Bumped whenever an address's name changes or goes, so label caches know to look again. */
  generation = 0;
  /** Called with an address whose name changed or was dropped (label caches forget it). */
  onAddressChange: ((ip: string) => void) | undefined;

  constructor(options: PassiveDnsOptions = {}) {
    this.maxEntries = options.maxEntries ?? 200_000;
    this.maxPerName = options.maxAddressesPerName ?? 32;
    this.graceMs = options.graceMs ?? 10 * 60_000;
    this.clock = options.now;
  }

  now(): number {
    return this.clock ? this.clock() : this.latestTs;
  }

  /**
   * Records one answer: each A/AAAA record is traced back through the CNAMEs to the question's
   * name. The lifetime is the smallest TTL along the chain (what a caching stub would honour).
   */
  recordAnswer(qname: string, answers: readonly DnsAnswer[], ts: number): void {
    if (ts > this.latestTs) this.latestTs = ts;
    this.counters.responses++;
    const asked = normaliseName(qname);
    const cnameOwner = new Map<string, { owner: string; ttl: number }>();
    for (const a of answers) if (a.type === 'CNAME') cnameOwner.set(normaliseName(a.data), { owner: normaliseName(a.name), ttl: a.ttl });
    for (const a of answers) {
      if (a.type !== 'A' && a.type !== 'AAAA') continue;
      let name = normaliseName(a.name);
      let ttl = a.ttl;
      const chain: string[] = [];
      // Bounded walk: a malicious answer could contain a CNAME loop.
      for (let hops = 0; name !== asked && hops < 16; hops++) {
        const up = cnameOwner.get(name);
        if (!up) break;
        chain.unshift(name);
        ttl = Math.min(ttl, up.ttl);
        name = up.owner;
      }
      this.add(a.type === 'A' ? a.data : canonicalIp(a.data), name === asked ? asked : name, chain.length ? chain : NO_CHAIN, ts + ttl * 1000 + this.graceMs);
    }
    this.sweep();
  }

  private add(ip: string, name: string, chain: readonly string[], expiresAt: number): void {
    this.counters.addressesRecorded++;
    let rec = this.byName.get(name);
    if (!rec) {
      rec = { name, chain, expiresAt, ips: [] };
      this.byName.set(name, rec);
    } else {
      if (expiresAt > rec.expiresAt) rec.expiresAt = expiresAt;
      if (chain.length) rec.chain = chain;
    }
    const previous = this.byIp.get(ip);
    if (previous === rec) {
      // Refresh its place in the least-recently-used order and in the name's list.
      this.byIp.delete(ip);
      this.byIp.set(ip, rec);
      detach(rec, ip);
      attach(rec, ip);
      return;
    }
    if (previous) {
      this.byIp.delete(ip);
      this.forgetFromName(previous, ip);
    }
    this.byIp.set(ip, rec);
    attach(rec, ip);
    this.changed(ip);
    if (count(rec) > this.maxPerName) {
      const oldest = typeof rec.ips === 'string' ? rec.ips : rec.ips[0];
      this.byIp.delete(oldest);
      detach(rec, oldest);
      this.counters.capped++;
      this.changed(oldest);
    }
    if (this.byIp.size > this.maxEntries) {
      const [oldIp, oldRec] = this.byIp.entries().next().value as [string, NameRecord];
      this.byIp.delete(oldIp);
      this.forgetFromName(oldRec, oldIp);
      this.counters.evicted++;
      this.changed(oldIp);
    }
  }

  private changed(ip: string): void {
    this.generation++;
    this.onAddressChange?.(ip);
  }

  private forgetFromName(rec: NameRecord, ip: string): void {
    detach(rec, ip);
    if (count(rec) === 0 && this.byName.get(rec.name) === rec) this.byName.delete(rec.name);
  }

  /** Drops a few of the oldest entries when they have expired: bounded work per answer. */
  private sweep(): void {
    const now = this.now();
    let n = 0;
    for (const [ip, rec] of this.byIp) {
      if (n++ >= SWEEP_PER_ANSWER || rec.expiresAt >= now) break;
      this.byIp.delete(ip);
      this.forgetFromName(rec, ip);
      this.counters.expired++;
      this.changed(ip);
    }
  }

  /** The name an address was resolved from, unless it expired. */
  lookup(ip: string, now = this.now()): PassiveDnsName | undefined {
    const rec = this.byIp.get(ip);
    if (!rec) return undefined;
    if (rec.expiresAt < now) {
      this.byIp.delete(ip);
      this.forgetFromName(rec, ip);
      this.counters.expired++;
      this.changed(ip);
      return undefined;
    }
    return rec;
  }

  /** Addresses currently known for an asked name, oldest first. */
  addressesOf(name: string): string[] {
    const rec = this.byName.get(normaliseName(name));
    if (!rec) return [];
    return typeof rec.ips === 'string' ? [rec.ips] : [...rec.ips];
  }

  get size(): number {
    return this.byIp.size;
  }

  stats(): PassiveDnsStats {
    return { ...this.counters, entries: this.byIp.size, names: this.byName.size };
  }
}

function count(rec: NameRecord): number {
  return typeof rec.ips === 'string' ? 1 : rec.ips.length;
}

function attach(rec: NameRecord, ip: string): void {
  if (typeof rec.ips === 'string') rec.ips = [rec.ips, ip];
  else if (rec.ips.length === 0) rec.ips = ip;
  else rec.ips.push(ip);
}

function detach(rec: NameRecord, ip: string): void {
  if (typeof rec.ips === 'string') {
    if (rec.ips === ip) rec.ips = [];
    return;
  }
  const i = rec.ips.indexOf(ip);
  if (i >= 0) rec.ips.splice(i, 1);
  if (rec.ips.length === 1) rec.ips = rec.ips[0];
}
