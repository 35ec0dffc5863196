// The DNS analysis stage: capture events in, transactions, resolver health and findings out.
// A plain object (createDnsAnalyzer) that the run command and `dns report` feed with event
// batches; it keeps no raw history, only windows, bounded tables and the open transactions.
import type { CaptureEvent, DnsPacket, DnsUnreachable } from '../events.js';
import { bump } from '../events.js';
import { ConntrackRaceEvidence } from './findings/conntrack-race.js';
import { processLabel } from './findings/finding.js';
import { NdotsDetector } from './findings/ndots-amplification.js';
import { detectRandomSubdomains, detectRefused, detectSpikes, type RcodeSpike } from './findings/rcode-spike.js';
import { resolverDown } from './findings/resolver-down.js';
import { resolverOverload } from './findings/resolver-overload.js';
import { emptyZoneRow, mergeZoneRow, upstreamFailures, type ZoneRow } from './findings/upstream-failure.js';
import { spikeFindings } from './findings/spike-findings.js';
import { emptyDnsSummary, parseDnsSummaryInto, rcodeName, type AnswerSection, type DnsQuestionSummary } from './message.js';
import { registrableDomain } from './registrable-domain.js';
import { ResolverState, type HealthWindow } from './resolver-health.js';
import { TableGenerations } from './table-generations.js';
import { ResolverHistory } from './resolver-history.js';
import { TransactionMatcher } from './transaction-matcher.js';
import type {
  DnsAnalyzerOptions, DnsFinding, DnsNameStats, DnsResolverRole, DnsSnapshot, DnsTransaction, DnsZoneStats, ResolverHealth,
} from './types.js';

export interface DnsAnalyzer {
  /** Feeds a batch of capture events (any mix; non-DNS events other than drops and conntrack are ignored). */
  ingest(events: readonly CaptureEvent[]): void;
  /** Moves the clock without events (live capture when idle): open queries past the timeout time out. */
  advance(nowMs: number): void;
  /** Health, findings and bounded tables as of now. */
  snapshot(): DnsSnapshot;
}

/** A well-formed response as the analyzer read it: its question, rcode and where its answers are. */
export interface DnsResponseAnswers {
  ts: number;
  qname: string;
  rcode: string;
  /** Readable during the hook's call only (readAnswerRecords): sources reuse their buffers. */
  answers: AnswerSection;
}

export interface DnsAnalyzerHooks {
  /** Every finished transaction: answered or timed out (called synchronously: keep it cheap). */
  onTransaction?: (tx: DnsTransaction) => void;
  /**
   * Every well-formed response, matched to a query or not (the capture may have started after
   * the query was sent): what passive DNS learns from, with no second parse.
   */
  onResponse?: (response: DnsResponseAnswers) => void;
}

export function dnsAnalyzerDefaults(): DnsAnalyzerOptions {
  return {
    timeoutMs: 5_000, clientTimeoutMs: 5_000, searchDomains: [], clusterDns: [], nodeLocal: [],
    topN: 20, windowMs: 10_000, horizonMs: 300_000, minQueries: 3,
  };
}

interface NameRow {
  name: string;
  process: string;
  queries: number;
  failures: number;
  timeouts: number;
  latencySum: number;
  latencyCount: number;
}

const SKETCH_ALPHA = 0.01;
/** How often (in stream time) to sweep expired state; outcomes do not depend on it. */
const EXPIRE_EVERY_MS = 500;
const PROBLEMS_KEPT = 100;
const SPIKES_KEPT = 500;
const ZONE_KEYS_KEPT = 10_000;

export function createDnsAnalyzer(options: Partial<DnsAnalyzerOptions> = {}, hooks: DnsAnalyzerHooks = {}): DnsAnalyzer {
  const opts: DnsAnalyzerOptions = { ...dnsAnalyzerDefaults(), ...options };
  const rotateMs = Number.isFinite(opts.horizonMs) ? opts.horizonMs / 2 : Infinity;
  const resolvers = new Map<string, ResolverState>();
  const malformed: Record<string, number> = {};
  const spikes: RcodeSpike[] = [];
  const problems: DnsTransaction[] = [];
  const race = new ConntrackRaceEvidence(opts.clientTimeoutMs);
  const ndots = new NdotsDetector(opts.searchDomains, Math.max(10_000, opts.clientTimeoutMs * 2), opts.topN, rotateMs);
  // Zones feed upstream_failure, so many are tracked (registrable domains are few); names less.
  const zones = new TableGenerations<ZoneRow>(Math.max(opts.topN * 4, 1_000), emptyZoneRow, mergeZoneRow, rotateMs);
  const names = new TableGenerations<NameRow>(Math.max(opts.topN * 4, 256), emptyNameRow, mergeNameRow, rotateMs);
  const clusterDns = new Set(opts.clusterDns);
  const nodeLocal = new Set(opts.nodeLocal);
  let clock = -Infinity;
  let firstEvent = Infinity;
  let nextExpire = -Infinity;
  let completed = 0;
  let answered = 0;
  let timeouts = 0;
  let unmatched = 0;

  // Zones of the search domains: lookups through a search list give distinct NXDOMAIN names there.
  const searchZones = new Set(opts.searchDomains.map((d) => registrableDomain(d.toLowerCase().replace(/\.$/, ''))));
  const history = new ResolverHistory(SKETCH_ALPHA);
  const onWindowClosed = (state: ResolverState, closed: HealthWindow, before: HealthWindow[]) => {
    history.add(state.server, closed);
    const refused = detectRefused(state.server, closed, opts.minQueries);
    for (const s of [...detectSpikes(state.server, closed, before, opts.minQueries), ...(refused ? [refused] : []), ...detectRandomSubdomains(state.server, closed, before, searchZones)]) {
      spikes.push(s);
      if (spikes.length > SPIKES_KEPT) spikes.shift();
    }
  };
  // Nearly every packet goes to or comes from the resolver of the packet before.
  let lastServer = '';
  let lastResolver: ResolverState | undefined;
  const resolver = (server: string): ResolverState => {
    if (server === lastServer && lastResolver) return lastResolver;
    let r = resolvers.get(server);
    if (!r) {
      r = new ResolverState(server, opts.windowMs, SKETCH_ALPHA, onWindowClosed);
      resolvers.set(server, r);
    }
    lastServer = server;
    lastResolver = r;
    return r;
  };
  // The zone table's "server zone" keys, built once per pair: building and hashing a new key
  // string for every transaction cost more than the counting it is for.
  const zoneKeys = new Map<string, Map<string, string>>();
  let lastKeyServer = '';
  let lastKeyZone = '';
  let lastKey = '';
  const zoneKey = (server: string, zone: string): string => {
    if (zone === lastKeyZone && server === lastKeyServer) return lastKey; // the A then the AAAA of a lookup
    let byZone = zoneKeys.get(server);
    if (!byZone) {
      byZone = new Map();
      zoneKeys.set(server, byZone);
    }
    let key = byZone.get(zone);
    if (key === undefined) {
      if (byZone.size >= ZONE_KEYS_KEPT) byZone.clear(); // a flood of random zones: start over
      key = `${server} ${zone}`;
      byZone.set(zone, key);
    }
    lastKeyServer = server;
    lastKeyZone = zone;
    lastKey = key;
    return key;
  };

  // Refilled for each response handed to onResponse.
  const response: DnsResponseAnswers = { ts: 0, qname: '', rcode: '', answers: { payload: new Uint8Array(0), offset: -1, count: 0, question: '' } };
  const matcher = new TransactionMatcher(opts, {
    onTransaction(tx) {
      completed++;
      const r = resolver(tx.server);
      const w = r.window(Math.max(clock, tx.ts));
      const zone = registrableDomain(tx.qname);
      const zoneRow = zones.row(zoneKey(tx.server, zone), clock);
      // Rows are per process name: short-lived processes (getent, curl) get a new pid each run.
      // Without process information (replay), per name only: per client address would multiply
      // rows by the number of pods without telling more.
      const nameRow = names.row(tx.comm === undefined ? tx.qname : `${tx.comm}\u0000${tx.qname}`, clock);
      nameRow.queries++;
      zoneRow.queries++;
      let failed = false;
      if (tx.outcome === 'answered') {
        answered++;
        w.answered++;
        zoneRow.answered++;
        const rcode = tx.rcode ?? 'NOERROR';
        bump(w.rcodes, rcode);
        bump(zoneRow.rcodes, rcode);
        w.latency.add(tx.latencyMs ?? 0);
        r.noteAnswer(tx.ts + (tx.latencyMs ?? 0));
        nameRow.latencySum += tx.latencyMs ?? 0;
        nameRow.latencyCount++;
        if (rcode === 'NXDOMAIN' || rcode === 'SERVFAIL') r.noteFailZone(w, zone, rcode, tx.qname);
        if (rcode === 'NXDOMAIN' || rcode === 'REFUSED') r.noteFailDetail(w, rcode, tx.qname, tx.comm || tx.client);
        failed = rcode === 'SERVFAIL' || rcode === 'REFUSED';
      } else if (tx.outcome === 'unreachable') {
        w.unreachable++;
        failed = true;
      } else {
        timeouts++;
        w.timeouts++;
        r.noteTimeout(tx.ts, clock);
        zoneRow.timeouts++;
        nameRow.timeouts++;
        failed = true;
      }
      if (failed) {
        nameRow.failures++;
        if (zoneRow.failedNames.size < 10) zoneRow.failedNames.add(tx.qname);
        if (zoneRow.clients.size < 10) zoneRow.clients.add(tx.client);
        const proc = processLabel(tx);
        if (proc && zoneRow.processes.size < 10) zoneRow.processes.add(proc);
        zoneRow.firstFailTs = Math.min(zoneRow.firstFailTs, tx.ts);
        zoneRow.lastFailTs = Math.max(zoneRow.lastFailTs, clock);
      }
      w.retransmissions += tx.retransmissions;
      if (tx.retries > 0) w.retries++;
      if (tx.stalled) w.stalled++;
      if (failed || tx.stalled || tx.retries > 0 || tx.truncated) {
        problems.push(tx);
        if (problems.length > PROBLEMS_KEPT) problems.shift();
      }
      ndots.observe(tx, tx.comm ?? tx.client);
      hooks.onTransaction?.(tx);
    },
    onResend: (obs) => race.noteResend(obs),
    onUnmatched: () => {
      unmatched++;
    },
  });

  const tick = (ts: number) => {
    if (ts > clock) clock = ts;
    if (clock >= nextExpire) {
      matcher.expire(clock);
      nextExpire = clock + EXPIRE_EVERY_MS;
      if (Number.isFinite(opts.horizonMs)) for (const r of resolvers.values()) r.trim(clock - opts.horizonMs);
    }
  };

  const msg = emptyDnsSummary(); // refilled per packet; the matcher copies what it keeps
  /** Fills `out` from a response's header and the question of the open query with its socket and id; false when there is none. */
  const questionFromQuery = (pkt: DnsPacket, out: DnsQuestionSummary): boolean => {
    const p = pkt.payload;
    if (p.length < 12 || (p[2] & 0x80) === 0) return false;
    const id = (p[0] << 8) | p[1];
    const question = matcher.questionAnswered(pkt, id);
    if (!question) return false;
    const flags = (p[2] << 8) | p[3];
    Object.assign(out, { id, qr: true, opcode: (flags >> 11) & 0xf, rcode: rcodeName(flags & 0xf), tc: (flags & 0x0200) !== 0, ancount: 0, qname: question.qname, qtype: question.qtype, answersAt: -1 });
    return true;
  };
  const onDns = (pkt: DnsPacket) => {
    const reason = parseDnsSummaryInto(pkt.payload, msg);
    if (reason !== undefined) {
      bump(malformed, reason);
      // A response whose question is damaged still ends its lookup (its header says how), or the
      // lookup would count as a timeout that never happened; its answers are not read.
      if (!questionFromQuery(pkt, msg)) return;
    }
    if (msg.opcode !== 0) {
      bump(malformed, 'not_a_query_opcode'); // NOTIFY, UPDATE…: not lookups
      return;
    }
    if (msg.qr) {
      if (hooks.onResponse) {
        response.ts = pkt.ts;
        response.qname = msg.qname;
        response.rcode = msg.rcode;
        response.answers.payload = pkt.payload;
        response.answers.offset = msg.answersAt;
        response.answers.count = msg.ancount;
        response.answers.question = msg.qname;
        hooks.onResponse(response);
      }
      matcher.response(pkt, msg);
      return;
    }
    const r = resolver(pkt.dst);
    r.window(pkt.ts).queries++;
    if (pkt.ts > r.lastAnswerTs) r.silentQueries++;
    r.noteClient(pkt.src);
    if (pkt.ts < r.firstTs) r.firstTs = pkt.ts;
    if (pkt.ts > r.lastTs) r.lastTs = pkt.ts;
    matcher.query(pkt, msg);
  };

  // An ICMP unreachable error ends the socket's open query to that resolver at once (the client's
  // resolver library moves on) and is evidence that the resolver is not serving.
  const onUnreachable = (ev: DnsUnreachable) => {
    const r = resolver(ev.dst);
    const tx = matcher.unreachable(ev);
    r.noteUnreachable(tx?.ts ?? ev.ts, ev.ts, ev.reason);
  };

  const role = (server: string): DnsResolverRole => {
    if (nodeLocal.has(server)) return 'node-local';
    if (clusterDns.has(server)) return 'cluster-dns';
    const state = resolvers.get(server);
    for (const c of state?.clients ?? []) if (resolvers.has(c)) return 'upstream';
    return 'other';
  };

  return {
    ingest(events) {
      for (const ev of events) {
        if (ev.ts < firstEvent) firstEvent = ev.ts;
        tick(ev.ts);
        switch (ev.type) {
          case 'dns': onDns(ev); break;
          case 'dns_unreachable': onUnreachable(ev); break;
          case 'drop': race.noteDrop(ev); break;
          case 'conntrack': race.noteConntrack(ev); break;
          default: break;
        }
      }
    },
    advance(nowMs) {
      nextExpire = -Infinity;
      tick(nowMs);
    },
    snapshot() {
      const since = Number.isFinite(opts.horizonMs) ? clock - opts.horizonMs : -Infinity;
      const pendingTx = matcher.pending();
      const pendingBy = new Map<string, number>();
      for (const tx of pendingTx) pendingBy.set(tx.server, (pendingBy.get(tx.server) ?? 0) + 1);
      const health: ResolverHealth[] = [];
      const findings: DnsFinding[] = [];
      const down = new Set<string>();
      for (const r of resolvers.values()) {
        health.push(resolverHealth(r, since, clock, role(r.server), pendingBy.get(r.server) ?? 0));
        const d = resolverDown(r, since, opts.minQueries);
        if (d) {
          findings.push(d);
          down.add(r.server);
        } else {
          const o = resolverOverload(r, since, opts.windowMs, opts.minQueries);
          if (o) findings.push(o);
        }
      }
      const zoneRows = zones.rows();
      findings.push(...upstreamFailures(zoneRows.rows.values(), opts.minQueries, down));
      findings.push(...spikeFindings(spikes.filter((s) => s.windowStart + opts.windowMs > since), opts.windowMs));
      const r = race.finding(since);
      if (r) findings.push(r);
      findings.push(...ndots.findings(opts.minQueries, since));
      const rank = { critical: 0, warning: 1, info: 2 };
      findings.sort((a, b) => rank[a.severity] - rank[b.severity] || b.count - a.count);
      health.sort((a, b) => b.queries - a.queries);
      return {
        transactions: completed, answered, timeouts, pending: pendingTx.length, malformed: { ...malformed }, unmatchedResponses: unmatched,
        firstEventMs: Number.isFinite(firstEvent) ? firstEvent : null, lastEventMs: Number.isFinite(clock) ? clock : null,
        resolvers: health, findings,
        zones: topZones(zoneRows, opts.topN),
        names: topNames(names.rows(), opts.topN),
        ndots: ndots.rows().slice(0, opts.topN).map((row) => ({
          process: row.process, amplifiedLookups: row.amplifiedLookups, wastedQueries: row.wastedQueries,
          wastedPerLookup: row.wastedQueries / row.amplifiedLookups, addedLatencyMs: row.addedLatencySumMs / row.amplifiedLookups,
        })),
        recentProblems: [...problems],
        history: history.series(clock - 86_400_000),
      };
    },
  };
}

function round(x: number | null | undefined): number | null {
  return x === undefined || x === null ? null : Math.round(x * 1000) / 1000;
}

function resolverHealth(r: ResolverState, since: number, now: number, role: DnsResolverRole, pending: number): ResolverHealth {
  const m = r.merged(since);
  const spanMs = Math.min(r.lastTs, now) - Math.max(r.firstTs, since);
  return {
    server: r.server, role, queries: m.queries, queriesPerSecond: round(m.queries / Math.max(1, spanMs / 1000)) ?? 0,
    answered: m.answered, timeouts: m.timeouts, unreachable: m.unreachable, pending, retransmissions: m.retransmissions, retries: m.retries, stalled: m.stalled,
    rcodes: { NOERROR: 0, NXDOMAIN: 0, SERVFAIL: 0, REFUSED: 0, ...m.rcodes },
    latencyMs: { p50: round(m.latency.quantile(0.5)), p90: round(m.latency.quantile(0.9)), p99: round(m.latency.quantile(0.99)), max: m.latency.count ? round(m.latency.max) : null },
    latencySketch: m.latency.toData(),
    clients: r.clients.size,
  };
}

/** Keys are "comm\0name", or the bare name when the process is unknown. */
function emptyNameRow(key: string): NameRow {
  const cut = key.indexOf('\u0000');
  const process = cut < 0 ? '-' : key.slice(0, cut);
  const name = cut < 0 ? key : key.slice(cut + 1);
  return { name, process, queries: 0, failures: 0, timeouts: 0, latencySum: 0, latencyCount: 0 };
}

function mergeNameRow(into: NameRow, from: NameRow): void {
  into.queries += from.queries;
  into.failures += from.failures;
  into.timeouts += from.timeouts;
  into.latencySum += from.latencySum;
  into.latencyCount += from.latencyCount;
}

function topZones(t: { rows: Map<string, ZoneRow>; other: ZoneRow | undefined }, n: number): DnsZoneStats[] {
  const sorted = [...t.rows.values()].sort((a, b) => b.queries - a.queries);
  const out = sorted.slice(0, n);
  const other = emptyZoneRow('* other');
  for (const z of sorted.slice(n)) mergeZoneRow(other, z);
  if (t.other) mergeZoneRow(other, t.other);
  if (other.queries) out.push(other);
  return out.map((z) => ({ zone: z.zone, resolver: z.resolver, queries: z.queries, answered: z.answered, timeouts: z.timeouts, rcodes: z.rcodes }));
}

function topNames(t: { rows: Map<string, NameRow>; other: NameRow | undefined }, n: number): DnsNameStats[] {
  const sorted = [...t.rows.values()].sort((a, b) => b.queries - a.queries);
  const out = sorted.slice(0, n);
  const other = emptyNameRow('*\u0000other');
  for (const x of sorted.slice(n)) mergeNameRow(other, x);
  if (t.other) mergeNameRow(other, t.other);
  if (other.queries) out.push(other);
  return out.map((x) => ({
    name: x.name, process: x.process, queries: x.queries, failures: x.failures, timeouts: x.timeouts,
    meanLatencyMs: x.latencyCount ? round(x.latencySum / x.latencyCount) : null,
  }));
}
