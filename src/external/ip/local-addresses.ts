// Which addresses are this host itself: loopback, link-local and the addresses of its own
// interfaces. Passive traffic to them is not a call to a provider (docs/reliability-model.md).
import { networkInterfaces } from 'node:os';
import { canonicalIp, parseAddress, specialRange } from './ip-address.js';

/** The interfaces' addresses are read again after this long (DHCP, a new container address). */
const REFRESH_MS = 30_000;
/** Answers kept per address; the table starts afresh beyond this. */
const CACHE_LIMIT = 10_000;

export class LocalAddresses {
  private own = new Set<string>();
  private readAt = -Infinity;
  private readonly answers = new Map<string, boolean>();

  constructor(
    private readonly interfaces: () => ReturnType<typeof networkInterfaces> = networkInterfaces,
    private readonly now: () => number = Date.now,
  ) {}

  /** True for loopback, link-local and this host's own addresses. */
  has(ip: string): boolean {
    const t = this.now();
    if (t - this.readAt > REFRESH_MS) this.refresh(t);
    let answer = this.answers.get(ip);
    if (answer === undefined) {
      answer = this.classify(ip);
      if (this.answers.size >= CACHE_LIMIT) this.answers.clear();
      this.answers.set(ip, answer);
    }
    return answer;
  }

  private classify(ip: string): boolean {
    const addr = parseAddress(ip);
    if (!addr) return false;
    const range = specialRange(addr);
    return range === 'loopback' || range === 'link-local' || range === 'unspecified' || this.own.has(canonicalIp(ip));
  }

  private refresh(t: number): void {
    const own = new Set<string>();
    for (const list of Object.values(this.interfaces())) {
      for (const a of list ?? []) own.add(canonicalIp(a.address.split('%')[0]));
    }
    this.readAt = t;
    const changed = own.size !== this.own.size || [...own].some((a) => !this.own.has(a));
    this.own = own;
    if (changed) this.answers.clear();
  }
}
