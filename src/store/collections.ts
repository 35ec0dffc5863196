// The store's collections in memory (snapshot, providers and endpoints, incidents, maintenance,
// silences, alert state) and the series queries over rollups: the behaviour every Store shares.
// A store supplies its rollups and, when it persists, overrides stateChanged().
import { levelForWindow, seriesFromBuckets } from './series-query.js';
import {
  addNoteIn, deleteById, emptyState, findEndpoint, listEndpointsOf, listProvidersOf, putById, putIncidentIn, queryIncidents, type StateDocument,
} from './state-document.js';
import { type Bucket, seriesKey } from '../health/rollups/bucket.js';
import type { AlertState } from '../health/alerts/alert.js';
import type { BucketQuery, IncidentQuery } from '../health/engine-store.js';
import type { EndpointSummary, HealthSnapshot, ProviderDetail, ProviderSummary, SeriesPoint } from '../health/snapshot/health-snapshot.js';
import type { Incident, IncidentNote } from '../health/alerts/incident.js';
import type { MaintenanceWindow, Silence } from '../health/alerts/suppression.js';
import type { SeriesQuery } from './store.js';

export abstract class StoreCollections {
  /** Everything but rollups; a persistent store replaces it with what it loaded. */
  protected state: StateDocument = emptyState();

  abstract queryBuckets(q: BucketQuery): Promise<Bucket[]>;

  /**
   * Called after each change to incidents, maintenance, silences or alert state (not the snapshot,
   * which is recomputed every tick): where a persistent store writes them.
   */
  protected async stateChanged(): Promise<void> {}

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
    await this.stateChanged();
  }

  async addIncidentNote(id: string, note: IncidentNote): Promise<Incident | undefined> {
    const incident = addNoteIn(this.state, id, note);
    if (incident) await this.stateChanged();
    return incident;
  }

  async listMaintenance(): Promise<MaintenanceWindow[]> {
    return this.state.maintenance.slice();
  }

  async putMaintenance(w: MaintenanceWindow): Promise<void> {
    putById(this.state.maintenance, w);
    await this.stateChanged();
  }

  async deleteMaintenance(id: string): Promise<boolean> {
    return this.deleteFrom(this.state.maintenance, id);
  }

  async listSilences(): Promise<Silence[]> {
    return this.state.silences.slice();
  }

  async putSilence(s: Silence): Promise<void> {
    putById(this.state.silences, s);
    await this.stateChanged();
  }

  async deleteSilence(id: string): Promise<boolean> {
    return this.deleteFrom(this.state.silences, id);
  }

  async getAlertState(): Promise<AlertState> {
    return this.state.alertState;
  }

  async putAlertState(state: AlertState): Promise<void> {
    this.state.alertState = state;
    await this.stateChanged();
  }

  /** Removes an item by id; false (and nothing written) when the id is unknown. */
  private async deleteFrom<T extends { id: string }>(list: T[], id: string): Promise<boolean> {
    const ok = deleteById(list, id);
    if (ok) await this.stateChanged();
    return ok;
  }
}
