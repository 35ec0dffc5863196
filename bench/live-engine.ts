// A reliability engine over a lowdb store holding full history (500 endpoints, 400 days at every
// retention level), fed with TCP traffic between ticks as capture would: what the tick and the
// status server face in a long-running agent. Shared by the tick and status-server benchmarks.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultAlertSettings } from '../src/config/alerts.js';
import { defaultSlos } from '../src/health/engine-settings.js';
import { defaultStoreSettings } from '../src/store/store-settings.js';
import type { TcpEvent } from '../src/events.js';
import { ManualClock } from '../src/clock.js';
import { createReliabilityEngine, type ReliabilityEngine } from '../src/health/reliability-engine.js';
import type { EndpointLabel } from '../src/external/endpoint-label.js';
import type { LabeledEvent } from '../src/external/labeled-event.js';
import { LowdbStore } from '../src/store/lowdb-store.js';
import { generateHistory } from './store-history.js';

export interface LiveEngineShape {
  endpoints: number;
  providers: number;
  days: number;
  /** Connects per endpoint and minute fed between ticks. */
  connectsPerMinute: number;
}

export interface LiveEngine {
  store: LowdbStore;
  engine: ReliabilityEngine;
  clock: ManualClock;
  /** Buckets written while filling the history. */
  historyBuckets: number;
  fillMs: number;
  /** Feeds `ms` worth of traffic ending at the clock's time + ms, then moves the clock there. */
  feed(ms: number): void;
  close(): Promise<void>;
}

/** 10.<provider>.<i / 250>.<i % 250> → provider p<n>, host api-<i>.p<n>.example (as the history names them). */
function addressOf(i: number, providers: number): string {
  return `10.${i % providers}.${Math.floor(i / 250)}.${(i % 250) + 1}`;
}

export async function startLiveEngine(shape: LiveEngineShape, start = Date.now()): Promise<LiveEngine> {
  const dir = mkdtempSync(join(tmpdir(), 'ew-live-'));
  const storeSettings = defaultStoreSettings();
  const store = new LowdbStore({ dir: join(dir, 'store') });
  await store.open();
  const fillStart = performance.now();
  const historyBuckets = await generateHistory(store, { endpoints: shape.endpoints, providers: shape.providers, days: shape.days, processes: 3, now: start - 60_000, retention: storeSettings.retentionMs });
  const fillMs = performance.now() - fillStart;
  const labels = new Map<string, EndpointLabel>();
  const addresses: string[] = [];
  for (let i = 0; i < shape.endpoints; i++) {
    const ip = addressOf(i, shape.providers);
    addresses.push(ip);
    labels.set(ip, { ip, provider: `p${i % shape.providers}`, hostname: `api-${i}.p${i % shape.providers}.example`, source: 'dns', confidence: 0.9 });
  }
  const clock = new ManualClock(start);
  const engine = createReliabilityEngine({
    store, clock, hostName: 'host-a',
    settings: { rollups: storeSettings, slos: defaultSlos(), alerts: defaultAlertSettings() },
  });
  // flush() waits for the history to load (and has nothing to write yet): ticks measured later are ticks only.
  await engine.flush();
  let seq = 0;
  const comms = ['proc-0', 'proc-1', 'proc-2'];
  return {
    store, engine, clock, historyBuckets, fillMs,
    feed(ms: number): void {
      const from = clock.now();
      const perEndpoint = Math.max(1, Math.round((shape.connectsPerMinute * ms) / 60_000));
      const events: LabeledEvent[] = [];
      for (let i = 0; i < shape.endpoints; i++) {
        for (let k = 0; k < perEndpoint; k++) {
          seq++;
          const ts = from + Math.floor(((k + 0.5) * ms) / perEndpoint);
          const failed = seq % 97 === 0;
          const event: TcpEvent = {
            type: 'tcp', event: failed ? 'failed' : 'established', ts, pid: 1000 + (i % 3), comm: comms[i % 3],
            src: '192.0.2.10', sport: 40000 + (seq % 20000), dst: addresses[i], dport: 443,
            ...(failed ? { reason: 'timeout' as const } : { latencyMs: 5 + (seq % 40) }),
          };
          events.push({ event, label: labels.get(addresses[i])! });
        }
      }
      engine.ingestEvents(events);
      clock.set(from + ms);
    },
    async close(): Promise<void> {
      await engine.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
