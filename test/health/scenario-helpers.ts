// Builds a reliability engine on an in-memory store with a manual clock, and generates scenario traffic.
import { type AlertSettings, defaultAlertSettings } from '../../src/config/alerts.js';
import { defaultSlos, type SeriesLimits, type SloDefinition } from '../../src/health/engine-settings.js';
import { defaultStoreSettings } from '../../src/store/store-settings.js';
import type { TcpEvent } from '../../src/events.js';
import { ManualClock } from '../../src/clock.js';
import { createReliabilityEngine, type ReliabilityEngine, type TickResult } from '../../src/health/reliability-engine.js';
import type { DnsTransaction } from '../../src/dns/types.js';
import type { EndpointLabel } from '../../src/external/endpoint-label.js';
import type { LabeledEvent, LabeledLookup } from '../../src/external/labeled-event.js';
import { AlertingStage } from '../../src/alert/alerting-stage.js';
import type { Notifier } from '../../src/alert/notifier.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import type { Store } from '../../src/store/store.js';

/** Midnight UTC, a Monday. */
export const T0 = Date.UTC(2026, 10, 2, 0, 0, 0);
export const MINUTE = 60_000;
export const HOUR = 3_600_000;

/** Provider "p<N>" owns 198.51.100.N (TEST-NET-2 addresses: never contacted, only labelled). */
export function labelOf(ip: string): EndpointLabel {
  const m = /^198\.51\.100\.(\d+)$/.exec(ip);
  return m ? { ip, provider: `p${m[1]}`, service: 'api', region: 'eu-west-1', hostname: `api.p${m[1]}.example`, source: 'catalogue', confidence: 0.9 } : { ip, source: 'none', confidence: 0 };
}

/** Connection events as the labelling stage hands them on. */
export function labelled(events: readonly TcpEvent[]): LabeledEvent[] {
  return events.map((event) => ({ event, label: labelOf(event.dst) }));
}

/** A finished lookup of a name under "p<N>.example" (owned by provider p<N>), as the labelling stage hands it on. */
export function lookup(fields: { ts: number; qname: string; server: string; rcode?: string; latencyMs?: number; comm?: string; timeout?: boolean }): LabeledLookup {
  const m = /\.p(\d+)\.example$/.exec(fields.qname);
  const tx: DnsTransaction = {
    ts: fields.ts, client: '10.206.0.2', clientPort: 40000, server: fields.server, serverPort: 53, proto: 'udp', id: 1,
    qname: fields.qname, qtype: 'A', outcome: fields.timeout ? 'timeout' : 'answered', retransmissions: 0, retries: 0, stalled: false, parallel: false,
    ...(fields.timeout ? {} : { rcode: fields.rcode ?? 'NOERROR', latencyMs: fields.latencyMs ?? 3 }),
    ...(fields.comm ? { comm: fields.comm } : {}),
  };
  return { tx, provider: m ? `p${m[1]}` : undefined };
}

export interface Harness {
  engine: ReliabilityEngine;
  /** Notifies the harness's notifiers of every tick, as the run command wires it. */
  alerting: AlertingStage;
  store: Store;
  clock: ManualClock;
  /** Every tick's result, in order. */
  ticks: TickResult[];
}

export async function harness(opts: { alerts?: Partial<AlertSettings>; slos?: SloDefinition[]; notifiers?: Notifier[]; store?: Store; start?: number; limits?: Partial<SeriesLimits>; memoryUsage?: () => number; log?: (line: string) => void } = {}): Promise<Harness> {
  const store = opts.store ?? new MemoryStore();
  await store.open();
  const clock = new ManualClock(opts.start ?? T0);
  const rollups = defaultStoreSettings();
  const alerts = { ...defaultAlertSettings(), groupWaitMs: 0, ...opts.alerts };
  const engine = createReliabilityEngine({
    store,
    clock,
    settings: { rollups: { ...rollups, limits: { ...rollups.limits, ...opts.limits } }, slos: opts.slos ?? defaultSlos(), alerts },
    hostName: 'host-a',
    memoryUsage: opts.memoryUsage,
    log: opts.log,
  });
  const alerting = new AlertingStage({ settings: alerts, notifiers: opts.notifiers ?? [], clock });
  return { engine, alerting, store, clock, ticks: [] };
}

/** TCP connects to provider n in one minute: `total` attempts of which `failed` fail, spread evenly. */
export function minuteOfConnects(n: number, start: number, total: number, failed: number, latencyMs: (i: number) => number = () => 20, comm = 'app'): TcpEvent[] {
  const out: TcpEvent[] = [];
  const failEvery = failed > 0 ? total / failed : Infinity;
  let nextFail = failEvery / 2;
  for (let i = 0; i < total; i++) {
    const ts = start + Math.floor((i * MINUTE) / total);
    const fail = i + 0.5 >= nextFail;
    if (fail) nextFail += failEvery;
    out.push(fail
      ? { type: 'tcp', ts, event: 'failed', reason: 'timeout', src: '10.206.0.2', sport: 40000 + (i % 20000), dst: `198.51.100.${n}`, dport: 443, comm }
      : { type: 'tcp', ts, event: 'established', latencyMs: latencyMs(i), src: '10.206.0.2', sport: 40000 + (i % 20000), dst: `198.51.100.${n}`, dport: 443, comm });
  }
  return out;
}

/**
 * Runs minutes [from, to) of traffic: `traffic(minuteStart)` returns the minute's batches (events
 * with their origin host); the engine ticks at the end of every `tickEvery` minutes.
 */
export async function run(
  h: Harness,
  minutes: number,
  traffic: (minuteStart: number) => Array<{ events: TcpEvent[]; host?: string; zone?: string }>,
  tickEvery = 1,
): Promise<void> {
  for (let m = 0; m < minutes; m++) {
    const start = h.clock.now();
    for (const batch of traffic(start)) h.engine.ingestEvents(labelled(batch.events), batch.host ? { host: batch.host, zone: batch.zone } : undefined);
    h.clock.advance(MINUTE);
    if ((m + 1) % tickEvery === 0) {
      const result = await h.engine.tick();
      await h.alerting.consume(result);
      h.ticks.push(result);
    }
  }
}

/** Names of alerts that fired over the recorded ticks, with the minute (from `since`) they fired at. */
export function firedAlerts(h: Harness, since: number): Array<{ name: string; provider: string | null; minute: number; scope: string | undefined }> {
  return h.ticks.flatMap((t) => t.fired.map((a) => ({ name: a.name, provider: a.providerId, minute: (t.at - since) / MINUTE, scope: a.attribution?.scope })));
}
