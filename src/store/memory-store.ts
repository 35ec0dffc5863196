// The in-memory Store: the same behaviour as the lowdb store without files, for tests and short runs.
import { cloneBucket, mergeBucket } from '../health/rollups/bucket-merge.js';
import { levelForWindow, seriesFromBuckets } from './series-query.js';
import {
  addNoteIn, deleteById, emptyState, findEndpoint, listEndpointsOf, listProvidersOf, putById, putIncidentIn, queryIncidents, type StateDocument,
} from './state-document.js';
import { type Bucket, LEVEL_MS, ROLLUP_LEVELS, type RollupLevel, seriesKey } from '../health/rollups/bucket.js';
import type { AlertState } from '../health/alerts/alert.js';
import type { BucketQuery, IncidentQuery } from '../health/engine-store.js';
import type { EndpointSummary, HealthSnapshot, ProviderDetail, ProviderSummary, SeriesPoint } from '../health/snapshot/health-snapshot.js';
import type { Incident, IncidentNote } from '../health/alerts/incident.js';
import type { MaintenanceWindow, Silence } from '../health/alerts/suppression.js';
import type { SeriesQuery, Store, StoreOpenReport } from './store.js';

export class MemoryStore {
  readonly description = 'in-memory store';
  private readonly rollups = new Map<RollupLevel, Map<string, Bucket>>(ROLLUP_LEVELS.map((l) => [l, new Map()]));
  private state: StateDocument = emptyState();

  async open(): Promise<StoreOpenReport> {
    return { notices: [], movedAside: [] };
  }

  async close(): Promise<void> {}

  async mergeBuckets(buckets: readonly Bucket[]): Promise<void> {
    for (const b of buckets) {
      const table = this.rollups.get(b.level);
      if (!table) continue;
      const id = `${b.key}@${b.start}`;
      const have = table.get(id);
      if (have) mergeBucket(have, b);
      else table.set(id, cloneBucket(b));
    }
  }

  async queryBuckets(q: BucketQuery): Promise<Bucket[]> {
    const table = this.rollups.get(q.level);
    if (!table) return [];
    const keys = q.keys ? new Set(q.keys) : undefined;
    const out: Bucket[] = [];
    for (const b of table.values()) {
      if (b.start < q.from || b.start >= q.to) continue;
      if (keys && !keys.has(b.key)) continue;
      if (q.keyPrefix !== undefined && !b.key.startsWith(q.keyPrefix)) continue;
      out.push(cloneBucket(b));
    }
    return out.sort((a, b) => a.start - b.start);
  }

  async prune(now: number, retentionMs: Readonly<Record<RollupLevel, number>>): Promise<void> {
    for (const level of ROLLUP_LEVELS) {
      const table = this.rollups.get(level);
      if (!table) continue;
      const cutoff = now - retentionMs[level];
      for (const [id, b] of table) if (b.start + LEVEL_MS[level] <= cutoff) table.delete(id);
    }
  }

  async putSnapshot(snapshot: HealthSnapshot): Promise<void> {
    this.state.snapshot = snapshot;
  }

  async getSnapshot(): Promise<HealthSnapshot | undefined> {
    return this.state.snapshot ?? undefined;
  }

  async listProviders(): Promise<ProviderSummary[]> {
    return listProvidersOf(this.state);
  }

  async getProvider(id: string): Promise<ProviderDetail | undefined> {
    return this.state.snapshot?.providers.find((p) => p.id === id);
  }

  async listEndpoints(): Promise<EndpointSummary[]> {
    return listEndpointsOf(this.state);
  }

  async getEndpoint(id: string): Promise<EndpointSummary | undefined> {
    return findEndpoint(this.state, id);
  }

  async querySeries(q: SeriesQuery): Promise<SeriesPoint[]> {
    const level = q.level ?? levelForWindow(q.from, q.to);
    const buckets = await this.queryBuckets({ level, from: q.from, to: q.to, keys: [seriesKey(q.series.scope, q.series.provider, q.series.value)] });
    return seriesFromBuckets(buckets, q);
  }

  async listIncidents(q?: IncidentQuery): Promise<Incident[]> {
    return queryIncidents(this.state, q);
  }

  async getIncident(id: string): Promise<Incident | undefined> {
    return this.state.incidents.find((i) => i.id === id);
  }

  async putIncident(incident: Incident): Promise<void> {
    putIncidentIn(this.state, incident);
  }

  async addIncidentNote(id: string, note: IncidentNote): Promise<Incident | undefined> {
    return addNoteIn(this.state, id, note);
  }

  async listMaintenance(): Promise<MaintenanceWindow[]> {
    return this.state.maintenance.slice();
  }

  async putMaintenance(w: MaintenanceWindow): Promise<void> {
    putById(this.state.maintenance, w);
  }

  async deleteMaintenance(id: string): Promise<boolean> {
    return deleteById(this.state.maintenance, id);
  }

  async listSilences(): Promise<Silence[]> {
    return this.state.silences.slice();
  }

  async putSilence(s: Silence): Promise<void> {
    putById(this.state.silences, s);
  }

  async deleteSilence(id: string): Promise<boolean> {
    return deleteById(this.state.silences, id);
  }

  async getAlertState(): Promise<AlertState> {
    return this.state.alertState;
  }

  async putAlertState(state: AlertState): Promise<void> {
    this.state.alertState = state;
  }
}

// Compile-time conformance: MemoryStore is a complete Store.
export const memoryStoreConforms = (s: MemoryStore) => s satisfies Store;
