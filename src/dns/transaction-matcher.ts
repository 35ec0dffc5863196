// Matches DNS responses to queries (client, server, id, question) and turns every query into a
// transaction: answered, timed out (never dropped silently), or pending when the input ends.
// It also recognises retransmissions, retries, TCP retries after truncation, parallel A/AAAA
// pairs, and re-sends of a question about one client timeout after the previous send.
import type { DnsPacket } from '../events.js';
import type { DnsQuestionSummary } from './message.js';
import type { DnsTransaction, RetryCause } from './types.js';

/** A re-send of a question from the same socket after a pause: what a stalled client does. */
export interface ResendObservation {
  ts: number;
  client: string;
  clientPort: number;
  server: string;
  qname: string;
  qtype: string;
  /** Since the previous send of the same question from the same socket. */
  gapMs: number;
  /** The previous attempt's reply had been seen on the wire (it never reached the socket). */
  replySeen: boolean;
  /** The other query of its parallel A/AAAA pair was answered. */
  partnerAnswered: boolean;
  pid?: number;
  comm?: string;
}

export interface MatcherCallbacks {
  /** A transaction finished (answered or timed out). */
  onTransaction(tx: DnsTransaction): void;
  /** A question was re-sent from the same socket; the analyzer decides whether it is a stall. */
  onResend(obs: ResendObservation): void;
  /** A response with no open query. */
  onUnmatched(pkt: DnsPacket, msg: DnsQuestionSummary): void;
}

export interface MatcherOptions {
  timeoutMs: number;
  /** The stub resolver's retry timeout: re-sends this long after a send mean the client stalled. */
  clientTimeoutMs: number;
}

/** The live state of one transaction; the same object moves from open to recent when done. */
interface OpenTx {
  key: string;
  sockQ: string;
  clientQ: string;
  tx: DnsTransaction;
  lastSendTs: number;
  done: boolean;
  partner?: OpenTx;
}

const PAIR_WINDOW_MS = 1_000;
const PARTNER_TYPE: Record<string, string> = { A: 'AAAA', AAAA: 'A' };

export class TransactionMatcher {
  private readonly open = new Map<string, OpenTx>();
  /** Last attempt per socket and question (open or done), for re-sends and pairs. */
  private readonly bySocketQuestion = new Map<string, OpenTx>();
  /** Last attempt per client address and question, for retries from a new socket or over TCP. */
  private readonly byClientQuestion = new Map<string, OpenTx>();
  private readonly recentMs: number;

  constructor(
    private readonly opts: MatcherOptions,
    private readonly cb: MatcherCallbacks,
  ) {
    // Long enough to link a retry to a timed-out attempt and to see a re-send after a stall.
    this.recentMs = Math.max(opts.timeoutMs, opts.clientTimeoutMs) * 2 + 1_000;
  }

  get openCount(): number {
    return this.open.size;
  }

  query(pkt: DnsPacket, msg: DnsQuestionSummary): void {
    const sock = `${pkt.proto}|${pkt.src}|${pkt.sport}|${pkt.dst}|${pkt.dport}`;
    const sockQ = `${sock}|${msg.qname}|${msg.qtype}`;
    const key = `${sockQ}|${msg.id}`;
    const existing = this.open.get(key);
    if (existing) {
      // Same socket, id and question: the client re-sent the very query.
      this.noteResend(existing, pkt);
      existing.tx.retransmissions++;
      existing.lastSendTs = pkt.ts;
      this.open.delete(key);
      this.open.set(key, existing); // keep the map ordered by last send for expiry
      this.touch(this.bySocketQuestion, sockQ, existing);
      return;
    }
    const clientQ = `${pkt.src}|${msg.qname}|${msg.qtype}`;
    const tx: DnsTransaction = {
      ts: pkt.ts, client: pkt.src, clientPort: pkt.sport, server: pkt.dst, serverPort: pkt.dport, proto: pkt.proto,
      id: msg.id, qname: msg.qname, qtype: msg.qtype, outcome: 'pending', retransmissions: 0, retries: 0,
      stalled: false, parallel: false,
    };
    if (pkt.pid !== undefined) tx.pid = pkt.pid;
    if (pkt.comm !== undefined) tx.comm = pkt.comm;
    const entry: OpenTx = { key, sockQ, clientQ, tx, lastSendTs: pkt.ts, done: false };

    const prevSock = this.bySocketQuestion.get(sockQ);
    if (prevSock) this.noteResend(prevSock, pkt);
    const prev = prevSock ?? this.byClientQuestion.get(clientQ);
    if (prev && prev !== existing) this.linkRetry(entry, prev);

    const partnerType = PARTNER_TYPE[msg.qtype];
    if (partnerType) {
      const partner = this.bySocketQuestion.get(`${sock}|${msg.qname}|${partnerType}`);
      if (partner && pkt.ts - partner.lastSendTs <= PAIR_WINDOW_MS) {
        entry.partner = partner;
        partner.partner ??= entry;
        tx.parallel = true;
        partner.tx.parallel = true;
      }
    }
    this.open.set(key, entry);
    this.touch(this.bySocketQuestion, sockQ, entry);
    this.touch(this.byClientQuestion, clientQ, entry);
  }

  response(pkt: DnsPacket, msg: DnsQuestionSummary): void {
    const key = `${pkt.proto}|${pkt.dst}|${pkt.dport}|${pkt.src}|${pkt.sport}|${msg.qname}|${msg.qtype}|${msg.id}`;
    const entry = this.open.get(key);
    if (!entry) {
      this.cb.onUnmatched(pkt, msg);
      return;
    }
    this.open.delete(key);
    const tx = entry.tx;
    tx.outcome = 'answered';
    tx.rcode = msg.rcode;
    tx.answers = msg.ancount;
    tx.latencyMs = pkt.ts - tx.ts;
    if (msg.tc) tx.truncated = true;
    if (tx.pid === undefined && pkt.pid !== undefined) tx.pid = pkt.pid;
    if (tx.comm === undefined && pkt.comm !== undefined) tx.comm = pkt.comm;
    if (tx.latencyMs >= this.opts.clientTimeoutMs * 0.8) tx.stalled = true;
    entry.done = true;
    this.cb.onTransaction(tx);
  }

  /** Times out open queries older than the timeout and forgets old history; call as time moves. */
  expire(now: number): void {
    for (const entry of this.open.values()) {
      if (entry.lastSendTs + this.opts.timeoutMs > now) break;
      this.open.delete(entry.key);
      entry.done = true;
      entry.tx.outcome = 'timeout';
      entry.tx.stalled = true;
      this.cb.onTransaction(entry.tx);
    }
    this.forget(this.bySocketQuestion, now);
    this.forget(this.byClientQuestion, now);
  }

  /** Open queries, for a snapshot: they are neither answered nor timed out yet. */
  pending(): DnsTransaction[] {
    return [...this.open.values()].map((e) => e.tx);
  }

  private forget(map: Map<string, OpenTx>, now: number): void {
    for (const [k, entry] of map) {
      if (entry.lastSendTs + this.recentMs > now) break;
      map.delete(k);
      // Break the pair link so a forgotten transaction can be collected.
      if (entry.partner?.partner === entry) entry.partner.partner = undefined;
      entry.partner = undefined;
    }
  }

  private touch(map: Map<string, OpenTx>, k: string, entry: OpenTx): void {
    map.delete(k);
    map.set(k, entry);
  }

  private linkRetry(entry: OpenTx, prev: OpenTx): void {
    const p = prev.tx;
    const cause: RetryCause | undefined = !prev.done
      ? undefined
      : p.outcome === 'timeout' ? 'timeout'
        : p.truncated ? 'truncated'
          : p.rcode === 'SERVFAIL' ? 'servfail'
            : p.rcode === 'REFUSED' ? 'refused'
              : 'answered';
    // An answered question asked again is a new lookup, unless the same socket re-sends it after
    // about one client timeout: then its reply never reached the socket (the stall signature).
    // An open previous attempt (the client gave up before our timeout) counts as a retry too.
    const gap = entry.tx.ts - prev.lastSendTs;
    if (cause === 'answered' && (entry.sockQ !== prev.sockQ || gap < this.opts.clientTimeoutMs * 0.8)) return;
    const tx = entry.tx;
    tx.retries = p.retries + p.retransmissions + 1;
    tx.retryOf = cause ?? 'timeout';
    if (cause === 'truncated' && tx.proto === 'tcp' && p.proto === 'udp') tx.tcpAfterTruncation = true;
    if (cause === 'timeout' || cause === 'answered' || cause === undefined) tx.stalled = gap >= this.opts.clientTimeoutMs * 0.8;
  }

  private noteResend(prev: OpenTx, pkt: DnsPacket): void {
    const gapMs = pkt.ts - prev.lastSendTs;
    if (gapMs <= 0) return;
    const replySeen = prev.done && prev.tx.outcome === 'answered';
    const partnerAnswered = prev.partner !== undefined && prev.partner.done && prev.partner.tx.outcome === 'answered';
    const obs: ResendObservation = {
      ts: pkt.ts, client: pkt.src, clientPort: pkt.sport, server: pkt.dst, qname: prev.tx.qname, qtype: prev.tx.qtype,
      gapMs, replySeen, partnerAnswered,
    };
    if (pkt.pid !== undefined) obs.pid = pkt.pid;
    if (pkt.comm !== undefined) obs.comm = pkt.comm;
    this.cb.onResend(obs);
  }
}
