// `egresswatch dns report`: DNS transactions, resolver health and findings from a pcap file or
// from live capture for a while; JSON (the stable contract) or a table for people.
import { isIP } from 'node:net';
import { defaultDnsSettings, type DnsSettings } from '../dns/dns-settings.js';
import { loadConfig } from '../config/load.js';
import { dnsAnalyzerOptions } from '../dns/analyzer-options.js';
import { createDnsAnalyzer } from '../dns/dns-analyzer.js';
import { reportText } from '../dns/report-text.js';
import { readResolvConf } from '../dns/resolv-conf.js';
import type { DnsSnapshot } from '../dns/types.js';
import { UsageError } from '../errors.js';
import { bump, type CaptureSummary } from '../events.js';
import { dnsPortsOpt, flag, numberOpt, stringList, stringOpt } from './args.js';
import { openSource, runSource } from './run-source.js';
import type { Command } from './command.js';

export const dnsReportCommand: Command = {
  name: 'dns report',
  summary: 'DNS transactions, resolver health and findings (pcap file or live capture)',
  usage: `egresswatch dns report (--pcap FILE | --duration SECONDS) [--json] [options]

Matches DNS queries with their responses and reports each resolver's health (queries, answers,
timeouts, rcodes, latency p50/p90/p99) and findings: resolver_down, upstream_failure,
resolver_overload, conntrack_race (the 5-second stall), ndots_amplification, nxdomain_spike,
servfail_spike, resolver_refused and random_subdomain_flood. Live capture needs root (CAP_BPF and CAP_PERFMON).

Options:
  --pcap FILE            analyse a pcap or pcapng file
  --duration SECONDS     capture live for this long, then report (Ctrl-C reports early)
  --json                 one JSON object (the stable output contract)
  --config FILE          read the "dns:" section of this configuration file
  --resolv-conf FILE     the stub resolver's resolv.conf (default /etc/resolv.conf): nameservers,
                         search list, options timeout and ndots
  --cluster-dns ADDR     a Kubernetes DNS service address (repeatable)
  --node-local ADDR      a node-local DNS cache address (repeatable)
  --timeout SECONDS      a query unanswered this long is a timeout (default 5)
  --top N                rows in the zone and name tables (default 20)
  --dns-port PORT        also treat this port as DNS, besides 53 (repeatable)
  --interface NAME       live: capture on this interface only (repeatable; default all)`,
  options: {
    pcap: { type: 'string' },
    duration: { type: 'string' },
    json: { type: 'boolean' },
    config: { type: 'string' },
    'resolv-conf': { type: 'string' },
    'cluster-dns': { type: 'string', multiple: true },
    'node-local': { type: 'string', multiple: true },
    timeout: { type: 'string' },
    top: { type: 'string' },
    'dns-port': { type: 'string', multiple: true },
    interface: { type: 'string', multiple: true },
  },
  async run({ values, io, signal }) {
    const pcap = stringOpt(values, 'pcap');
    const duration = numberOpt(values, 'duration', { min: 0.1 });
    if ((pcap === undefined) === (duration === undefined)) throw new UsageError('give either --pcap FILE or --duration SECONDS');
    const settings = readSettings(values);
    const options = { ...dnsAnalyzerOptions(settings, readResolvConf(settings.resolvConf)), horizonMs: Infinity };
    // Live: say when capture is running (scripts wait for this line before generating traffic).
    const ready = () => io.stderr.write(`capturing DNS live for ${duration} s (Ctrl-C reports early)\n`);
    const source = openSource({ pcap, dnsPorts: dnsPortsOpt(values), interfaces: stringList(values, 'interface'), ready });
    const analyzer = createDnsAnalyzer(options);
    const summary = await runSource(source, (batch) => analyzer.ingest(batch), signal, duration !== undefined ? duration * 1000 : undefined);
    // Live: the wall clock has moved on since the last packet; a replay ends at its last packet.
    if (!pcap) analyzer.advance(Date.now());
    const snap = analyzer.snapshot();
    for (const [k, v] of Object.entries(snap.malformed)) bump(summary.malformed, `dns_${k}`, v);
    if (flag(values, 'json')) io.stdout.write(JSON.stringify(reportJson(snap, summary, source.description)) + '\n');
    else {
      io.stdout.write(reportText(snap));
      const lost = Object.values(summary.lost).reduce((a, b) => a + b, 0);
      if (lost) io.stderr.write(`warning: ${lost} capture records were lost ${JSON.stringify(summary.lost)}\n`);
    }
    return 0;
  },
};

function readSettings(values: Parameters<Command['run']>[0]['values']): DnsSettings {
  const file = stringOpt(values, 'config');
  const settings = file ? loadConfig(file).dns : defaultDnsSettings();
  const conf = stringOpt(values, 'resolv-conf');
  if (conf) settings.resolvConf = conf;
  const ips = (name: string) => stringList(values, name).map((a) => {
    if (isIP(a) === 0) throw new UsageError(`--${name} must be an IP address, got ${JSON.stringify(a)}`);
    return a;
  });
  settings.clusterDns = [...settings.clusterDns, ...ips('cluster-dns')];
  settings.nodeLocal = [...settings.nodeLocal, ...ips('node-local')];
  const timeout = numberOpt(values, 'timeout', { min: 0.1, max: 60 });
  if (timeout !== undefined) settings.timeoutMs = timeout * 1000;
  const top = numberOpt(values, 'top', { min: 1, max: 10_000, integer: true });
  if (top !== undefined) settings.topN = top;
  return settings;
}

/** The JSON contract: the fields first, more after. */
export function reportJson(snap: DnsSnapshot, summary: CaptureSummary, source: string): Record<string, unknown> {
  return {
    transactions: snap.transactions,
    resolvers: snap.resolvers.map(({ latencySketch: _sketch, ...r }) => r),
    findings: snap.findings,
    answered: snap.answered,
    timeouts: snap.timeouts,
    pending: snap.pending,
    unmatchedResponses: snap.unmatchedResponses,
    malformed: snap.malformed,
    zones: snap.zones,
    names: snap.names,
    ndots: snap.ndots,
    since: snap.firstEventMs === null ? null : new Date(snap.firstEventMs).toISOString(),
    until: snap.lastEventMs === null ? null : new Date(snap.lastEventMs).toISOString(),
    sinceMs: snap.firstEventMs,
    untilMs: snap.lastEventMs,
    source,
    capture: { events: summary.events, malformed: summary.malformed, lost: summary.lost },
  };
}
