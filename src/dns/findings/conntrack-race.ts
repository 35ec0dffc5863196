// conntrack_race: the 5-second stall. One query of a parallel A/AAAA pair is re-sent from the same
// socket about one client timeout later although its reply was on the wire or its partner was
// answered: the reply was lost on the host (the conntrack insert race of parallel UDP queries
// through NAT). Live capture corroborates it with NETFILTER_DROP drops of DNS replies and rising
// conntrack insert_failed / drop counters.
import type { ConntrackSample, DropEvent } from '../../events.js';
import type { ResendObservation } from '../transaction-matcher.js';
import type { DnsFinding } from '../types.js';
import { makeFinding, noteCapped, processLabel } from './finding.js';

const KEPT = 1_000;

export const RACE_MITIGATIONS = [
  'glibc: options single-request-reopen (or single-request) in resolv.conf / the pod dnsConfig',
  'glibc: options use-vc to send DNS over TCP',
  'NodeLocal DNSCache (node-local-dns) so pods skip the DNAT to the cluster DNS service',
  'use TCP for DNS (or a resolver library that does not send A and AAAA from one socket at once)',
];

interface Stall {
  ts: number;
  client: string;
  clientPort: number;
  server: string;
  name: string;
  process: string | undefined;
  gapMs: number;
  replySeen: boolean;
}

export class ConntrackRaceEvidence {
  private stalls: Stall[] = [];
  private drops: number[] = [];
  private samples: ConntrackSample[] = [];
  private stallTotal = 0;
  private dropTotal = 0;

  constructor(private readonly clientTimeoutMs: number) {}

  /** Keeps re-sends that look like a lost reply: one client timeout after the previous send. */
  noteResend(obs: ResendObservation): void {
    const t = this.clientTimeoutMs;
    if (obs.gapMs < t * 0.8 || obs.gapMs > t * 1.6) return;
    if (!obs.replySeen && !obs.partnerAnswered) return;
    // One stalled lookup may re-send both queries of its pair (glibc then asks one at a time):
    // count the stall once.
    const last = this.stalls[this.stalls.length - 1];
    if (last && last.client === obs.client && last.clientPort === obs.clientPort && last.name.startsWith(`${obs.qname} `) && obs.ts - last.ts < 1_000) return;
    this.stallTotal++;
    this.stalls.push({ ts: obs.ts, client: obs.client, clientPort: obs.clientPort, server: obs.server, name: `${obs.qname} ${obs.qtype}`, process: processLabel(obs), gapMs: obs.gapMs, replySeen: obs.replySeen });
    if (this.stalls.length > KEPT) this.stalls.splice(0, this.stalls.length - KEPT);
  }

  /** Kernel drops of DNS replies by netfilter (live only). */
  noteDrop(ev: DropEvent): void {
    if (!ev.reason.includes('NETFILTER') || (ev.sport !== 53 && ev.dport !== 53)) return;
    this.dropTotal++;
    this.drops.push(ev.ts);
    if (this.drops.length > KEPT) this.drops.splice(0, this.drops.length - KEPT);
  }

  noteConntrack(sample: ConntrackSample): void {
    this.samples.push(sample);
    if (this.samples.length > KEPT) this.samples.splice(0, this.samples.length - KEPT);
  }

  finding(since: number): DnsFinding | undefined {
    const stalls = this.stalls.filter((s) => s.ts >= since);
    if (stalls.length === 0) return undefined;
    const drops = this.drops.filter((ts) => ts >= since).length;
    const samples = this.samples.filter((s) => s.ts >= since);
    const first = samples[0];
    const last = samples[samples.length - 1];
    const insertFailedRise = first && last ? last.insertFailed - first.insertFailed : 0;
    const dropRise = first && last ? last.drop - first.drop : 0;
    const corroborated = drops > 0 || insertFailedRise > 0 || dropRise > 0;
    const clients = new Set<string>();
    const processes = new Set<string>();
    const names = new Set<string>();
    const servers = new Set<string>();
    for (const s of stalls) {
      noteCapped(clients, s.client);
      if (s.process) noteCapped(processes, s.process);
      noteCapped(names, s.name);
      noteCapped(servers, s.server);
    }
    const meanGap = stalls.reduce((a, s) => a + s.gapMs, 0) / stalls.length;
    const who = processes.size ? [...processes].join(', ') : [...clients].join(', ');
    const live = corroborated
      ? `; corroborated by ${drops} netfilter drops of DNS packets, conntrack insert_failed +${insertFailedRise}, drop +${dropRise}`
      : samples.length ? '; conntrack counters did not rise (drops elsewhere on the path?)' : '';
    return makeFinding({
      kind: 'conntrack_race',
      severity: corroborated || stalls.length >= 3 ? 'critical' : 'warning',
      resolver: servers.size === 1 ? [...servers][0] : null,
      name: stalls[0].name.split(' ')[0],
      count: stalls.length,
      clients,
      processes,
      firstSeenMs: stalls[0].ts - stalls[0].gapMs,
      lastSeenMs: stalls[stalls.length - 1].ts,
      summary: `${stalls.length} DNS lookups stalled ${(meanGap / 1000).toFixed(1)} s: a parallel A/AAAA query was re-sent from the same socket one timeout later although its reply${stalls.some((s) => s.replySeen) ? ' was on the wire' : "'s partner was answered"} (${who})${live}`,
      evidence: {
        stalls: stalls.length, meanStallMs: meanGap, replySeenOnWire: stalls.filter((s) => s.replySeen).length,
        netfilterDrops: drops, conntrackInsertFailedRise: insertFailedRise, conntrackDropRise: dropRise,
        corroborated, conntrackSamples: samples.length, names: [...names], servers: [...servers], totalSinceStart: this.stallTotal,
      },
      mitigations: RACE_MITIGATIONS,
    });
  }
}
