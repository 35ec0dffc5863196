// The labelling stage for `egresswatch run` once it has loaded, and the events that arrive before
// it: held in a bounded queue, then handed to the engine in order.
import type { MonitorEvent } from '../events.js';
import type { LabelingStage } from '../external/labeling-stage.js';
import type { ReliabilityEngine } from '../health/reliability-engine.js';
import type { DnsOutcome, EndpointLabel as HealthLabel, EndpointLabeller } from '../health/signal-inputs.js';
import type { RunLog } from './run-log.js';

/** Events held while labelling data loads; beyond this they are dropped (and counted). */
const MAX_QUEUED_EVENTS = 200_000;

/**
 * The labelling stage once it has loaded, and the events that arrive before: queued (bounded),
 * then handed to the engine in order, so nothing is labelled "unknown" only for being early.
 */
export class PendingLabels {
  private stage: LabelingStage | undefined;
  private engine: ReliabilityEngine | undefined;
  private queue: { events?: readonly MonitorEvent[]; dns?: DnsOutcome }[] = [];
  private queued = 0;
  private settled = false;
  dropped = 0;
  readonly labeller: EndpointLabeller = {
    labelIp: (ip) => (this.stage ? healthLabel(this.stage.labeler.label(ip)) : undefined),
    labelName: (name) => {
      const m = this.stage?.data.catalogue.match(name);
      return m ? { provider: m.provider, service: m.service ?? null, region: m.region ?? null, hostname: name } : undefined;
    },
  };

  constructor(private readonly log: RunLog) {}

  feed(engine: ReliabilityEngine): void {
    this.engine = engine;
  }

  ready(stage: LabelingStage): void {
    this.stage = stage;
    const parts = ['provider catalogue', `${stage.data.ranges.feeds.length} IP range feeds`, ...(stage.data.asn ? ['ASN dataset'] : []), ...(stage.aws ? ['AWS metadata'] : [])];
    this.settle(`labels: ${parts.join(', ')} loaded`);
  }

  failed(why: string): void {
    this.settle(`labels unavailable (${why}): endpoints are grouped as "unknown"`);
  }

  ingest(events: readonly MonitorEvent[]): void {
    this.stage?.labeler.observe(events);
    if (this.settled) return this.engine?.ingest(events);
    this.hold({ events }, events.length);
  }

  ingestDns(outcome: DnsOutcome): void {
    if (this.settled) return this.engine?.ingestDns([outcome]);
    this.hold({ dns: outcome }, 1);
  }

  probeLabel(ip: string, host: string | undefined): { provider?: string; service?: string } | undefined {
    const l = this.stage?.labeler.label(ip, host);
    return l?.provider ? { provider: l.provider, ...(l.service ? { service: l.service } : {}) } : undefined;
  }

  close(): void {
    this.stage?.close();
  }

  private hold(item: { events?: readonly MonitorEvent[]; dns?: DnsOutcome }, n: number): void {
    if (this.queued + n > MAX_QUEUED_EVENTS) {
      this.dropped += n;
      return;
    }
    this.queue.push(item);
    this.queued += n;
  }

  private settle(message: string): void {
    this.settled = true;
    const queue = this.queue;
    this.queue = [];
    for (const item of queue) {
      if (item.events) {
        this.stage?.labeler.observe(item.events);
        this.engine?.ingest(item.events);
      } else if (item.dns) this.engine?.ingestDns([item.dns]);
    }
    this.log.info(message + (this.dropped ? `; ${this.dropped} events arrived while loading and were dropped (queue full)` : ''), { queuedEvents: this.queued, droppedEvents: this.dropped });
    this.queued = 0;
  }
}

function healthLabel(l: { provider?: string; service?: string; region?: string; hostname?: string; confidence: number }): HealthLabel | undefined {
  if (!l.provider) return undefined;
  return { provider: l.provider, service: l.service ?? null, region: l.region ?? null, hostname: l.hostname ?? null, confidence: l.confidence };
}
