// ndots_amplification: a lookup whose name was first tried with search suffixes (each NXDOMAIN)
// before the real name answered. Counts wasted queries per real lookup and the latency they add,
// per process (or client address when the source knows no process).
import type { DnsTransaction } from '../types.js';
import type { DnsFinding } from '../types.js';
import { TableGenerations } from '../table-generations.js';
import { makeFinding, noteCapped } from './finding.js';

export interface NdotsRow {
  process: string;
  amplifiedLookups: number;
  wastedQueries: number;
  addedLatencySumMs: number;
  examples: Set<string>;
  clients: Set<string>;
  /** Process ids seen (a few), as "comm[pid]". */
  instances: Set<string>;
  firstTs: number;
  lastTs: number;
}

function emptyRow(process: string): NdotsRow {
  return { process, amplifiedLookups: 0, wastedQueries: 0, addedLatencySumMs: 0, examples: new Set(), clients: new Set(), instances: new Set(), firstTs: Infinity, lastTs: -Infinity };
}

function mergeRow(into: NdotsRow, from: NdotsRow): void {
  into.amplifiedLookups += from.amplifiedLookups;
  into.wastedQueries += from.wastedQueries;
  into.addedLatencySumMs += from.addedLatencySumMs;
  for (const x of from.examples) noteCapped(into.examples, x, 5);
  for (const x of from.clients) noteCapped(into.clients, x);
  for (const x of from.instances) noteCapped(into.instances, x);
  into.firstTs = Math.min(into.firstTs, from.firstTs);
  into.lastTs = Math.max(into.lastTs, from.lastTs);
}

interface Tried {
  name: string;
  qtype: string;
  ts: number;
}

/** NXDOMAIN attempts per client waiting for their real lookup; bounded per client and in total. */
const PER_CLIENT = 64;
const CLIENTS = 10_000;

export class NdotsDetector {
  private readonly tried = new Map<string, Tried[]>();
  readonly table: TableGenerations<NdotsRow>;

  constructor(
    private readonly searchDomains: string[],
    private readonly windowMs: number,
    topN: number,
    rotateEveryMs: number,
  ) {
    this.table = new TableGenerations(topN * 2, emptyRow, mergeRow, rotateEveryMs);
  }

  /** Feed every answered transaction, in completion order; `who` is the process name or client. */
  observe(tx: DnsTransaction, who: string): void {
    if (tx.outcome !== 'answered') return;
    const key = who === tx.client ? who : `${tx.client}|${who}`;
    let list = this.tried.get(key);
    if (tx.rcode === 'NXDOMAIN') {
      if (!tx.qname.includes('.')) return;
      if (!list) {
        if (this.tried.size >= CLIENTS) this.tried.delete(this.tried.keys().next().value as string);
        list = [];
        this.tried.set(key, list);
      }
      list.push({ name: tx.qname, qtype: tx.qtype, ts: tx.ts });
      if (list.length > PER_CLIENT) list.shift();
      return;
    }
    if (!list) return;
    const horizon = tx.ts - this.windowMs;
    while (list.length && list[0].ts < horizon) list.shift();
    let wasted = 0;
    let firstTs = Infinity;
    const base = tx.qname;
    for (let i = list.length - 1; i >= 0; i--) {
      const t = list[i];
      if (t.qtype !== tx.qtype || t.name.length <= base.length + 1 || !t.name.startsWith(base) || t.name[base.length] !== '.') continue;
      const suffix = t.name.slice(base.length + 1);
      if (this.searchDomains.length && !this.searchDomains.includes(suffix)) continue;
      wasted++;
      firstTs = Math.min(firstTs, t.ts);
      list.splice(i, 1);
    }
    if (list.length === 0) this.tried.delete(key);
    if (wasted === 0) return;
    const row = this.table.row(who, tx.ts);
    row.amplifiedLookups++;
    row.wastedQueries += wasted;
    row.addedLatencySumMs += tx.ts - firstTs;
    noteCapped(row.examples, `${tx.qname} ${tx.qtype}`, 5);
    noteCapped(row.clients, tx.client);
    if (tx.pid !== undefined) noteCapped(row.instances, `${tx.comm ?? '?'}[${tx.pid}]`);
    row.firstTs = Math.min(row.firstTs, firstTs);
    row.lastTs = Math.max(row.lastTs, tx.ts + (tx.latencyMs ?? 0));
  }

  rows(): NdotsRow[] {
    return [...this.table.rows().rows.values()].sort((a, b) => b.wastedQueries - a.wastedQueries);
  }

  findings(minQueries: number, since: number): DnsFinding[] {
    const out: DnsFinding[] = [];
    for (const row of this.rows()) {
      if (row.wastedQueries < minQueries || row.lastTs < since) continue;
      const perLookup = row.wastedQueries / row.amplifiedLookups;
      const added = row.addedLatencySumMs / row.amplifiedLookups;
      out.push(makeFinding({
        kind: 'ndots_amplification',
        severity: perLookup >= 4 ? 'warning' : 'info',
        name: [...row.examples][0]?.split(' ')[0] ?? null,
        count: row.wastedQueries,
        clients: row.clients,
        processes: row.instances.size ? row.instances : [row.process],
        firstSeenMs: row.firstTs,
        lastSeenMs: row.lastTs,
        summary: `${row.process}: ${row.amplifiedLookups} lookups tried search suffixes first, ${perLookup.toFixed(1)} wasted NXDOMAIN queries per lookup adding ${added.toFixed(1)} ms each`,
        evidence: { amplifiedLookups: row.amplifiedLookups, wastedQueries: row.wastedQueries, wastedPerLookup: perLookup, addedLatencyMs: added, examples: [...row.examples] },
        mitigations: ['write external names fully qualified, with a trailing dot', 'lower ndots in the pod dnsConfig (e.g. ndots:2)', 'CoreDNS autopath plugin'],
      }));
    }
    return out;
  }
}
