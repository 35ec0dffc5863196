// `egresswatch label`: names remote addresses (provider, service, region, hostname) from the
// command line or from every remote address in a capture file, with passive DNS from that capture.
import { loadConfig } from '../config/load.js';
import { UsageError } from '../errors.js';
import type { CaptureEvent } from '../events.js';
import type { EndpointLabel } from '../external/endpoint-label.js';
import { parseAddress } from '../external/ip/ip-address.js';
import { LabelingStage } from '../external/labeling-stage.js';
import { createDnsAnalyzer } from '../dns/dns-analyzer.js';
import { defaultLabelsSettings } from '../external/labels-settings.js';
import { dnsPortsOpt, flag, stringList, stringOpt } from './args.js';
import { openSource, runSource } from './run-source.js';
import { LineOutput } from './line-output.js';
import type { Command, CommandIo } from './command.js';

export const labelCommand: Command = {
  name: 'label',
  summary: 'name remote addresses: provider, service, region, hostname (from arguments or a capture)',
  usage: `egresswatch label [--json] [options] IP...
       egresswatch label [--json] [options] --pcap FILE

Labels each address with where it goes ("stripe / api", "aws / rds / eu-west-1"), which source
said so (config, aws, dns, catalogue, ip-ranges, asn) and how sure it is. With --pcap, every
remote address the capture connected to is labelled at the time it was first seen, using the
DNS answers of the same capture; a summary groups unknown addresses by ASN organisation.

Options:
  --json               one JSON object per line (label fields, then a summary line)
  --pcap FILE          label every remote address in this pcap or pcapng file
  --hostname NAME      a name the addresses are known by (as a check's host) for the catalogue
  --config FILE        configuration file (its labels: section)
  --data DIR           directory of refreshed IP-range files (see "egresswatch data refresh")
  --ip-ranges FILE     also load this range file (aws ip-ranges.json, gcp cloud.json, Cloudflare,
                       Fastly or Azure service tags; recognised by name; repeatable)
  --asn-db FILE        MaxMind-format ASN database (e.g. GeoLite2-ASN.mmdb), or "none"
  --aws                also ask AWS (DescribeNetworkInterfaces) when credentials are available
  --dns-port PORT      with --pcap: also treat this port as DNS (repeatable)`,
  options: {
    json: { type: 'boolean' },
    pcap: { type: 'string' },
    hostname: { type: 'string' },
    config: { type: 'string' },
    data: { type: 'string' },
    'ip-ranges': { type: 'string', multiple: true },
    'asn-db': { type: 'string' },
    aws: { type: 'boolean' },
    'dns-port': { type: 'string', multiple: true },
  },
  allowPositionals: true,
  async run({ values, positionals, io, signal }) {
    const json = flag(values, 'json');
    const pcap = stringOpt(values, 'pcap');
    const hostname = stringOpt(values, 'hostname');
    if (!pcap && positionals.length === 0) throw new UsageError('give one or more IP addresses, or --pcap FILE');
    if (pcap && positionals.length) throw new UsageError('give either IP addresses or --pcap FILE, not both');
    const bad = positionals.filter((p) => !parseAddress(p));
    if (bad.length) throw new UsageError(`not an IP address: ${bad.map((b) => JSON.stringify(b)).join(', ')}`);
    const configFile = stringOpt(values, 'config');
    const settings = configFile ? loadConfig(configFile).labels : defaultLabelsSettings();
    const dataDir = stringOpt(values, 'data');
    const asnDb = stringOpt(values, 'asn-db');
    const stage = new LabelingStage({ settings, log: (line) => io.stderr.write(`${line}\n`) });
    await stage.load({
      ...(dataDir ? { dataDir } : {}),
      ipRangeFiles: stringList(values, 'ip-ranges'),
      ...(asnDb ? { asnDatabase: asnDb } : {}),
      aws: flag(values, 'aws'),
      lazyAsn: true,
    });
    try {
      // A reader that goes away (`| head`) ends the listing quietly; a slow one is waited for.
      const stop = new AbortController();
      const out = new LineOutput(io.stdout, () => stop.abort());
      const print = (label: EndpointLabel, extra: Record<string, unknown> = {}) =>
        out.write((json ? JSON.stringify({ ...label, ...extra }) : formatLabel(label, extra)) + '\n');
      if (!pcap) {
        for (const ip of positionals) {
          if (out.isClosed) break;
          await print(stage.label(ip, hostname));
        }
        out.check();
        return 0;
      }
      const dnsPorts = dnsPortsOpt(values);
      const onAbort = () => stop.abort();
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        return await labelCapture(pcap, dnsPorts, stage, hostname, io, json, stop.signal, print, out);
      } finally {
        signal.removeEventListener('abort', onAbort);
        out.check();
      }
    } finally {
      stage.close();
    }
  },
};

async function labelCapture(
  file: string,
  dnsPorts: number[],
  stage: LabelingStage,
  hostname: string | undefined,
  io: CommandIo,
  json: boolean,
  signal: AbortSignal,
  print: (label: EndpointLabel, extra?: Record<string, unknown>) => Promise<void> | undefined,
  out: LineOutput,
): Promise<number> {
  const seen = new Map<string, { label: EndpointLabel; connections: number; dnsQueries: number }>();
  const note = (ip: string, kind: 'connections' | 'dnsQueries') => {
    let entry = seen.get(ip);
    // Labelled when first seen: the DNS answer that led to it was observed just before.
    if (!entry) seen.set(ip, (entry = { label: stage.label(ip, hostname), connections: 0, dnsQueries: 0 }));
    entry[kind]++;
  };
  // Passive DNS learns each answer from the analyzer's match of it, as in `run`.
  const analyzer = createDnsAnalyzer({}, stage.analyzerHooks());
  const summary = await runSource(openSource({ pcap: file, dnsPorts }), (batch: readonly CaptureEvent[]) => {
    analyzer.ingest(batch);
    for (const ev of batch) {
      if (ev.type === 'tcp' && ev.event === 'connect') note(ev.dst, 'connections');
      else if (ev.type === 'dns' && ev.dir === 'query') note(ev.dst, 'dnsQueries');
    }
  }, signal);
  const bySource: Record<string, number> = {};
  const unknownByAsOrg: Record<string, number> = {};
  for (const { label, connections, dnsQueries } of seen.values()) {
    if (out.isClosed) return 0;
    await print(label, { connections, ...(dnsQueries ? { dnsQueries } : {}) });
    bySource[label.source] = (bySource[label.source] ?? 0) + 1;
    if (!label.provider) {
      const org = label.asOrg ?? 'unknown';
      unknownByAsOrg[org] = (unknownByAsOrg[org] ?? 0) + 1;
    }
  }
  const pdns = stage.passiveDns.stats();
  const line = {
    type: 'summary',
    addresses: seen.size,
    bySource,
    unknownByAsOrg,
    passiveDns: { entries: pdns.entries, names: pdns.names, responses: pdns.responses, evicted: pdns.evicted },
    capture: { events: summary.events, malformed: summary.malformed },
  };
  if (json) await out.write(JSON.stringify(line) + '\n');
  else {
    const groups = Object.entries(unknownByAsOrg).sort((a, b) => b[1] - a[1]).map(([org, n]) => `${escapeText(org)}: ${n}`).join(', ');
    io.stderr.write(`label: ${seen.size} addresses ${JSON.stringify(bySource)}${groups ? `; unknown by ASN organisation: ${groups}` : ''}\n`);
  }
  return 0;
}

/** Network strings (hostnames from DNS answers, ASN names) may carry control bytes: escape them. */
function escapeText(text: string): string {
  return text.replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** One line for people: "203.0.113.20  stripe / api  api.stripe.com  [dns 0.90]  AS13335 Cloudflare, Inc.". */
export function formatLabel(l: EndpointLabel, extra: Record<string, unknown> = {}): string {
  const name = l.provider ? [l.provider, l.service, l.region, l.resource].filter(Boolean).join(' / ') : 'unknown';
  const parts = [l.ip.padEnd(15), name];
  if (l.hostname) parts.push(l.hostname);
  parts.push(`[${l.source} ${l.confidence.toFixed(2)}]`);
  if (l.asn !== undefined) parts.push(`AS${l.asn} ${l.asOrg ?? ''}`.trim());
  if (typeof extra.connections === 'number') parts.push(`connections=${extra.connections}`);
  return escapeText(parts.join('  '));
}
