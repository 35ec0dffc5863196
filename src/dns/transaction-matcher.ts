// Matches DNS responses to queries (client, server, id, question) and turns every query into a
// transaction: answered, timed out (never dropped silently), or pending when the input ends.
// It also recognises retransmissions, retries, TCP retries after truncation, parallel A/AAAA
// pairs, and re-sends of a question about one client timeout after the previous send.
import type { DnsPacket, DnsUnreachable } from '../events.js';
import type { DnsQuestionSummary } from './message.js';
import { QuestionKeyMap } from './question-key-map.js';
import { QuestionKeys } from './question-keys.js';
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
  /** The previous attempt, one of an A/AAAA pair, had its reply on the wire (it never reached the socket). */
  replySeen: boolean;
  /** The other query of its parallel A/AAAA pair was answered. */
  partnerAnswered: boolean;
  pid?: number;
  comm?: string;
}

export interface MatcherCallbacks {
  /** A transaction finished: answered or timed out. */
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

/**
 * The live state of one transaction; the same object moves from open to recent when done. A class
 * with every field set at construction: one object shape, no property storage added later.
 */
class OpenTx {
  lastSendTs: number;
  done = false;
  partner: OpenTx | undefined = undefined;
  /** Neighbours in the list of open queries (ordered by last send), while open. */
  older: OpenTx | undefined = undefined;
  newer: OpenTx | undefined = undefined;

  constructor(readonly tx: DnsTransaction) {
    this.lastSendTs = tx.ts;
  }
}

const PAIR_WINDOW_MS = 1_000;
/** Open queries searched for the question of a response that carries none readable. */
const SCAN_LIMIT = 10_000;

const PARTNER_TYPE: Record<string, string> = { A: 'AAAA', AAAA: 'A' };

export class TransactionMatcher {
  /**
   * Open queries in order of their last send, for expiry: a list through the entries themselves
   * (a Set of short-lived entries rebuilt its table every few hundred queries).
   */
  private oldestOpen: OpenTx | undefined;
  private newestOpen: OpenTx | undefined;
  private open = 0;
  /** The same, by socket, question and id (few entries: a small filter, never rotated). */
  private readonly openByKey = new QuestionKeyMap<OpenTx>(Infinity);
  /**
   * Per socket and question: the open or failed attempt, or, for an answered A or AAAA query,
   * just its send time (a number: these are most of what the window holds, so they must stay
   * small). For retransmissions with a new id and re-sends after a lost reply. One map, so a
   * query costs one lookup here.
   */
  private readonly bySocketQuestion: QuestionKeyMap<OpenTx>;
  /** Failed attempts per client address and question (socket fields left empty): retries from a new socket or over TCP. */
  private readonly byClientQuestion: QuestionKeyMap<OpenTx>;
  /** The last query per socket (question fields left empty), for pairing A with AAAA; kept only about a second. */
  private readonly lastOnSocket = new QuestionKeyMap<OpenTx>(PAIR_WINDOW_MS);
  private readonly recentMs: number;
  /** The keys of the packet being handled, and of a transaction handled apart from its packets. */
  private readonly keys = new QuestionKeys();
  private readonly txKeys = new QuestionKeys();

  constructor(
    private readonly opts: MatcherOptions,
    private readonly cb: MatcherCallbacks,
  ) {
    // Long enough to link a retry to a timed-out attempt and to see a re-send after a stall
    // (up to 1.6 client timeouts); memory is this window times the query rate.
    this.recentMs = Math.max(opts.timeoutMs, opts.clientTimeoutMs * 1.6) + 500;
    this.bySocketQuestion = new QuestionKeyMap(this.recentMs);
    this.byClientQuestion = new QuestionKeyMap(this.recentMs);
  }

  get openCount(): number {
    return this.open;
  }

  query(pkt: DnsPacket, msg: DnsQuestionSummary): void {
    const k = this.keys.of(pkt.proto, pkt.src, pkt.sport, pkt.dst, pkt.dport, msg.qname, msg.qtype, msg.id);
    let existing = this.openByKey.getObject(k.idA, k.idB);
    // Timed out before this re-send: decided here so the outcome never depends on when expire() ran.
    if (existing && existing.lastSendTs + this.opts.timeoutMs <= pkt.ts) {
      this.timeout(existing);
      existing = undefined;
    }
    if (existing) {
      // Same socket, id and question: the client re-sent the very query.
      this.noteResend(existing, pkt);
      existing.tx.retransmissions++;
      existing.lastSendTs = pkt.ts;
      this.unlinkOpen(existing);
      this.pushOpen(existing); // keep the list ordered by last send for expiry
      this.bySocketQuestion.set(k.questionA, k.questionB, existing);
      return;
    }
    // Every field present from the start (undefined until known): one object shape for all
    // transactions, so the code reading them stays monomorphic, and no property storage is added.
    const tx: DnsTransaction = {
      ts: pkt.ts, client: pkt.src, clientPort: pkt.sport, server: pkt.dst, serverPort: pkt.dport, proto: pkt.proto,
      id: msg.id, qname: msg.qname, qtype: msg.qtype, outcome: 'pending', rcode: undefined, answers: undefined,
      truncated: undefined, latencyMs: undefined, retransmissions: 0, retries: 0, retryOf: undefined,
      tcpAfterTruncation: undefined, stalled: false, parallel: false, pid: pkt.pid, comm: pkt.comm,
    };
    const entry = new OpenTx(tx);

    const partnerType = PARTNER_TYPE[msg.qtype];
    // History older than the window (generations keep up to twice as much) is not used.
    const before = this.bySocketQuestion.get(k.questionA, k.questionB);
    const prevSock = typeof before === 'object' && pkt.ts - before.lastSendTs <= this.recentMs ? before : undefined;
    if (prevSock) this.noteResend(prevSock, pkt);
    else if (typeof before === 'number' && pkt.ts - before <= this.recentMs) {
      this.resendAfterAnswer(entry, before, partnerType, pkt);
    }
    // Failed attempts only are kept per client: most of the time there are none to look for.
    const prev = prevSock ?? (this.byClientQuestion.size ? this.byClientQuestion.getObject(k.clientA, k.clientB) : undefined);
    if (prev && pkt.ts - prev.lastSendTs <= this.recentMs) this.linkRetry(entry, prev);

    if (partnerType) {
      // glibc sends A and AAAA together (sendmmsg), but a fast reply can land between the two:
      // the partner is the socket's previous query, answered or not.
      const partner = this.lastOnSocket.getObject(k.socketA, k.socketB);
      if (partner && partner.tx.qname === msg.qname && partner.tx.qtype === partnerType && pkt.ts - partner.lastSendTs <= PAIR_WINDOW_MS) {
        entry.partner = partner;
        partner.partner ??= entry;
        tx.parallel = true;
        partner.tx.parallel = true;
      }
    }
    this.lastOnSocket.set(k.socketA, k.socketB, entry);
    this.pushOpen(entry);
    this.openByKey.set(k.idA, k.idB, entry);
    this.bySocketQuestion.set(k.questionA, k.questionB, entry);
  }

  response(pkt: DnsPacket, msg: DnsQuestionSummary): void {
    // The socket's newest attempt at the question is nearly always the one answered: found that way,
    // one lookup does. An older attempt with another id is still found by its key.
    const k = this.keys.of(pkt.proto, pkt.dst, pkt.dport, pkt.src, pkt.sport, msg.qname, msg.qtype, msg.id);
    const newest = this.bySocketQuestion.get(k.questionA, k.questionB);
    const entry = typeof newest === 'object' && !newest.done && newest.tx.id === msg.id ? newest
      : this.openByKey.getObject(k.idA, k.idB);
    if (!entry) {
      this.cb.onUnmatched(pkt, msg);
      return;
    }
    if (entry.lastSendTs + this.opts.timeoutMs < pkt.ts) {
      // Later than the timeout: the client has given up; the query counts as timed out.
      this.timeout(entry);
      this.cb.onUnmatched(pkt, msg);
      return;
    }
    this.closeOpen(entry, k); // the packet's keys are the transaction's: it was found by them
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
    // A good answer leads to no retry: forget the transaction at once, keeping for parallel pairs
    // only the send time, because a lost reply shows as a re-send from the same socket.
    if (msg.tc || msg.rcode === 'SERVFAIL' || msg.rcode === 'REFUSED') this.byClientQuestion.set(k.clientA, k.clientB, entry);
    else {
      // A newer attempt on the same socket (new id) keeps its place. (`newest` is still current:
      // nothing wrote to the map since it was read.)
      if (newest === entry || typeof newest !== 'object') {
        if (tx.qtype === 'A' || tx.qtype === 'AAAA') this.bySocketQuestion.set(k.questionA, k.questionB, entry.lastSendTs);
        else this.bySocketQuestion.delete(k.questionA, k.questionB);
      }
    }
    this.cb.onTransaction(tx);
  }

  /**
   * The question of the open query a response answers, found by its socket and id alone: for a
   * response whose own question cannot be read (a compression loop, a cut name), which would
   * otherwise leave its query to time out, a failure that never happened. Rare, so a scan of the
   * newest open queries (at most SCAN_LIMIT) is enough.
   */
  questionAnswered(pkt: DnsPacket, id: number): { qname: string; qtype: string } | undefined {
    let entry = this.newestOpen;
    for (let n = 0; entry && n < SCAN_LIMIT; n++, entry = entry.older) {
      const tx = entry.tx;
      if (tx.id === id && tx.clientPort === pkt.dport && tx.serverPort === pkt.sport && tx.client === pkt.dst && tx.server === pkt.src && tx.proto === pkt.proto) return { qname: tx.qname, qtype: tx.qtype };
    }
    return undefined;
  }

  /**
   * An ICMP destination-unreachable error quoting a query: the newest open query of that socket to
   * that resolver ends now as unreachable (its id is not in the quote's first eight bytes).
   * Returns it, or undefined when none is open.
   */
  unreachable(ev: DnsUnreachable): DnsTransaction | undefined {
    let entry = this.newestOpen;
    for (let n = 0; entry && n < SCAN_LIMIT; n++, entry = entry.older) {
      const tx = entry.tx;
      if (tx.clientPort !== ev.sport || tx.serverPort !== ev.dport || tx.client !== ev.src || tx.server !== ev.dst || tx.proto !== ev.proto) continue;
      this.closeOpen(entry, this.txKeys.of(tx.proto, tx.client, tx.clientPort, tx.server, tx.serverPort, tx.qname, tx.qtype, tx.id));
      entry.done = true;
      tx.outcome = 'unreachable';
      this.cb.onTransaction(tx);
      return tx;
    }
    return undefined;
  }

  /** Times out open queries older than the timeout and forgets old history; call as time moves. */
  expire(now: number): void {
    for (let entry = this.oldestOpen; entry && entry.lastSendTs + this.opts.timeoutMs <= now; entry = this.oldestOpen) this.timeout(entry);
    this.bySocketQuestion.rotate(now);
    this.byClientQuestion.rotate(now);
    this.lastOnSocket.rotate(now);
  }

  /** Open queries, for a snapshot: they are neither answered nor timed out yet. */
  pending(): DnsTransaction[] {
    const out: DnsTransaction[] = [];
    for (let e = this.oldestOpen; e; e = e.newer) out.push(e.tx);
    return out;
  }

  private pushOpen(entry: OpenTx): void {
    entry.older = this.newestOpen;
    entry.newer = undefined;
    if (this.newestOpen) this.newestOpen.newer = entry;
    else this.oldestOpen = entry;
    this.newestOpen = entry;
    this.open++;
  }

  private unlinkOpen(entry: OpenTx): void {
    if (entry.older === undefined && this.oldestOpen !== entry) return; // not in the list
    if (entry.older) entry.older.newer = entry.newer;
    else this.oldestOpen = entry.newer;
    if (entry.newer) entry.newer.older = entry.older;
    else this.newestOpen = entry.older;
    entry.older = undefined;
    entry.newer = undefined;
    this.open--;
  }

  /** k: the transaction's keys. */
  private closeOpen(entry: OpenTx, k: QuestionKeys): void {
    this.unlinkOpen(entry);
    this.openByKey.delete(k.idA, k.idB);
  }

  private timeout(entry: OpenTx): void {
    const tx = entry.tx;
    const k = this.txKeys.of(tx.proto, tx.client, tx.clientPort, tx.server, tx.serverPort, tx.qname, tx.qtype, tx.id);
    this.closeOpen(entry, k);
    this.byClientQuestion.set(k.clientA, k.clientB, entry);
    entry.done = true;
    entry.tx.outcome = 'timeout';
    entry.tx.stalled = true;
    this.cb.onTransaction(entry.tx);
  }

  /** The same socket asks an answered A or AAAA question again. */
  private resendAfterAnswer(entry: OpenTx, answeredTs: number, partnerType: string | undefined, pkt: DnsPacket): void {
    const gapMs = pkt.ts - answeredTs;
    if (gapMs <= 0) return;
    const tx = entry.tx;
    // Was it one of a pair? Its partner went out from the same socket at about the same time.
    let partnerV: OpenTx | number | undefined;
    if (partnerType !== undefined) {
      const k = this.txKeys.of(pkt.proto, pkt.src, pkt.sport, pkt.dst, pkt.dport, tx.qname, partnerType, 0);
      partnerV = this.bySocketQuestion.get(k.questionA, k.questionB);
    }
    const partnerTs = typeof partnerV === 'object' ? partnerV.tx.ts : partnerV;
    const paired = partnerTs !== undefined && Math.abs(partnerTs - answeredTs) <= PAIR_WINDOW_MS;
    const obs: ResendObservation = {
      ts: pkt.ts, client: pkt.src, clientPort: pkt.sport, server: pkt.dst, qname: tx.qname, qtype: tx.qtype,
      gapMs, replySeen: paired, partnerAnswered: false,
    };
    if (pkt.pid !== undefined) obs.pid = pkt.pid;
    if (pkt.comm !== undefined) obs.comm = pkt.comm;
    this.cb.onResend(obs);
    // About one client timeout later, its reply never reached the socket: a retry, and a stall.
    if (gapMs >= this.opts.clientTimeoutMs * 0.8) {
      tx.retries = 1;
      tx.retryOf = 'answered';
      tx.stalled = true;
    }
  }

  private linkRetry(entry: OpenTx, prev: OpenTx): void {
    const p = prev.tx;
    // Only failed or still open attempts stay in the maps (answered ones are forgotten at once).
    const cause: RetryCause = !prev.done || p.outcome === 'timeout' ? 'timeout'
      : p.truncated ? 'truncated'
        : p.rcode === 'SERVFAIL' ? 'servfail'
          : p.rcode === 'REFUSED' ? 'refused'
            : 'timeout';
    const tx = entry.tx;
    tx.retries = p.retries + p.retransmissions + 1;
    tx.retryOf = cause;
    if (cause === 'truncated' && tx.proto === 'tcp' && p.proto === 'udp') tx.tcpAfterTruncation = true;
    if (cause === 'timeout') tx.stalled = tx.ts - prev.lastSendTs >= this.opts.clientTimeoutMs * 0.8;
  }

  private noteResend(prev: OpenTx, pkt: DnsPacket): void {
    const gapMs = pkt.ts - prev.lastSendTs;
    if (gapMs <= 0) return;
    // Only a good answer counts: a SERVFAIL partner says the resolver failed, not the host.
    const partner = prev.partner?.tx;
    const partnerAnswered = partner !== undefined && prev.partner!.done && partner.outcome === 'answered' && (partner.rcode === 'NOERROR' || partner.rcode === 'NXDOMAIN');
    const obs: ResendObservation = {
      ts: pkt.ts, client: pkt.src, clientPort: pkt.sport, server: pkt.dst, qname: prev.tx.qname, qtype: prev.tx.qtype,
      gapMs, replySeen: false, partnerAnswered,
    };
    if (pkt.pid !== undefined) obs.pid = pkt.pid;
    if (pkt.comm !== undefined) obs.comm = pkt.comm;
    this.cb.onResend(obs);
  }
}
