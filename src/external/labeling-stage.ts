// The labelling stage: every event about an endpoint (an outbound connection's outcome, a check
// run) and every finished DNS lookup gets its label here, once, and goes on to the sink (the
// reliability engine). Passive DNS learns from the DNS analyzer's responses: their answers,
// located by the analyzer's one parse of each packet (analyzerHooks wires both).
//
// Labelling data takes seconds to load (ranges, ASN dataset, AWS metadata): the stage is usable at
// once, and what arrives meanwhile waits in a bounded queue, so nothing is labelled "unknown" only
// for being early.
import type { AwsPlacement } from './sources/aws-metadata-source.js';
import type { DnsAnalyzerHooks, DnsResponseAnswers } from '../dns/dns-analyzer.js';
import { readAnswerRecords } from '../dns/message.js';
import type { DnsTransaction } from '../dns/types.js';
import type { MonitorEvent, ProbeResult } from '../events.js';
import type { EndpointLabel } from './endpoint-label.js';
import type { LabeledEvent, LabeledLookup, LabeledSink } from './labeled-event.js';
import type { LabelsSettings } from './labels-settings.js';
import type { LoadedLabeler, LoadLabelerOptions } from './load-labeler.js';
import { LocalAddresses } from './ip/local-addresses.js';
import { PassiveDns } from './sources/passive-dns.js';

/** Events and lookups held while labelling data loads; beyond this they are dropped (and counted). */
const MAX_QUEUED = 200_000;
/** DNS names whose provider is remembered. */
const NAMES_KEPT = 20_000;

export interface LabelingStageOptions {
  settings: LabelsSettings;
  /** Receives every labelled event and lookup; none for commands that only ask for labels. */
  sink?: LabeledSink;
  /** Where one-line notices go. */
  log?: (line: string) => void;
  /**
   * The agent's own process id: its captured connections are its checks, already counted as check
   * runs, so they are not counted again as passive calls (nor blamed on "node" as a client).
   */
  ownPid?: number;
}

type Queued = { events: readonly MonitorEvent[] } | { lookup: DnsTransaction };

export class LabelingStage {
  readonly passiveDns: PassiveDns;
  /** Inputs that arrived while loading and found the queue full. */
  dropped = 0;
  /** Captured connection events to this host itself (loopback, link-local, own addresses), left out. */
  localSkipped = 0;
  /** Captured connection events of the agent's own checks, left out (the check runs count). */
  ownSkipped = 0;
  private readonly local: LocalAddresses | undefined;
  private loaded: LoadedLabeler | undefined;
  private settled = false;
  private queue: Queued[] = [];
  private queued = 0;
  private readonly nameProviders = new Map<string, string | undefined>();

  constructor(private readonly options: LabelingStageOptions) {
    this.passiveDns = new PassiveDns(options.settings.passiveDns);
    this.local = options.settings.watchLocalTraffic ? undefined : new LocalAddresses();
  }

  /**
   * Loads the labelling data, then labels and hands on what waited. A broken configured file
   * rejects with a one-line error; what waited is handed on all the same, labelled "unknown".
   */
  async load(options: Omit<LoadLabelerOptions, 'settings'> = {}): Promise<LoadedLabeler> {
    const log = this.options.log ?? (() => {});
    try {
      // The labeler's sources load only now: starting the agent does not wait for them.
      const { loadLabeler } = await import('./load-labeler.js');
      const loaded = await loadLabeler({ ...options, settings: this.options.settings, log }, this.passiveDns);
      this.loaded = loaded;
      const parts = ['provider catalogue', `${loaded.data.ranges.feeds.length} IP range feeds`, ...(loaded.data.asn ? ['ASN dataset'] : []), ...(loaded.aws ? ['AWS metadata'] : [])];
      log(`labels: ${parts.join(', ')} loaded`);
      return loaded;
    } finally {
      this.settle();
    }
  }

  /** Capture events and check results: those about an endpoint are labelled and handed on. */
  ingest(events: readonly MonitorEvent[]): void {
    if (!this.settled) return this.hold({ events }, events.length);
    const out: LabeledEvent[] = [];
    for (const event of events) {
      if (event.type === 'probe') out.push({ event, label: this.labelProbe(event) });
      else if (event.type === 'tcp' && event.event !== 'connect' && event.event !== 'close') {
        if (this.local?.has(event.dst)) this.localSkipped++;
        else if (event.pid !== undefined && event.pid === this.options.ownPid) this.ownSkipped++;
        else out.push({ event, label: this.label(event.dst) });
      }
    }
    if (out.length) this.options.sink?.ingestEvents(out);
  }

  /** The DNS analyzer's hooks that feed this stage: `createDnsAnalyzer(options, stage.analyzerHooks())`. */
  analyzerHooks(): DnsAnalyzerHooks {
    return { onResponse: (r) => this.ingestResponse(r), onTransaction: (tx) => this.ingestTransaction(tx) };
  }

  /** A response: passive DNS learns its answers (NXDOMAIN and failures teach nothing). */
  ingestResponse(r: DnsResponseAnswers): void {
    if (r.answers.count > 0 && r.rcode === 'NOERROR') this.passiveDns.recordAnswer(r.qname, readAnswerRecords(r.answers), r.ts);
  }

  /** A finished lookup: handed on with the provider that owns the name. */
  ingestTransaction(tx: DnsTransaction): void {
    if (tx.outcome === 'pending') return;
    if (!this.settled) return this.hold({ lookup: tx }, 1);
    this.options.sink?.ingestLookups([this.labelLookup(tx)]);
  }

  /** The label of an address ("unknown", source none, until the data has loaded). */
  label(ip: string, hostname?: string): EndpointLabel {
    return this.loaded?.labeler.label(ip, hostname) ?? { ip, source: 'none', confidence: 0 };
  }

  /** A check result's label: the check's configured provider and service win over the address's. */
  labelProbe(result: ProbeResult): EndpointLabel {
    const configured = result.provider !== undefined && result.service !== undefined;
    const found = result.ip === undefined || configured ? undefined : this.label(result.ip, probeHost(result));
    const label: EndpointLabel = found ? { ...found } : { ip: result.ip ?? '', source: 'none', confidence: 0 };
    if (result.provider !== undefined) {
      label.provider = result.provider;
      label.source = 'config';
      label.confidence = 1;
    }
    const service = result.service ?? found?.service;
    if (service !== undefined) label.service = service;
    return label;
  }

  /** This host's zone and cluster, as the cloud metadata says (empty without it). */
  placement(): AwsPlacement {
    return this.loaded?.aws?.placement() ?? {};
  }

  close(): void {
    this.loaded?.close();
  }

  private labelLookup(tx: DnsTransaction): LabeledLookup {
    let provider = this.nameProviders.get(tx.qname);
    if (provider === undefined && !this.nameProviders.has(tx.qname)) {
      provider = this.loaded?.labeler.nameProvider(tx.qname);
      if (this.nameProviders.size >= NAMES_KEPT) this.nameProviders.clear();
      this.nameProviders.set(tx.qname, provider);
    }
    return { tx, provider };
  }

  private hold(item: Queued, n: number): void {
    if (this.queued + n > MAX_QUEUED) {
      this.dropped += n;
      return;
    }
    this.queue.push(item);
    this.queued += n;
  }

  private settle(): void {
    this.settled = true;
    const queue = this.queue;
    this.queue = [];
    this.queued = 0;
    for (const item of queue) {
      if ('events' in item) this.ingest(item.events);
      else this.options.sink?.ingestLookups([this.labelLookup(item.lookup)]);
    }
    if (this.dropped) this.options.log?.(`labels: ${this.dropped} events arrived while loading and were dropped (queue full)`);
  }
}

/** The host a check named (the URL's host, or the host of host:port); none for DNS checks. */
function probeHost(r: ProbeResult): string | undefined {
  if (r.probe === 'dns') return undefined;
  if (r.probe === 'http') {
    try {
      return new URL(r.target).hostname;
    } catch {
      return undefined;
    }
  }
  const colon = r.target.lastIndexOf(':');
  const host = colon > 0 ? r.target.slice(0, colon) : r.target;
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}
