// What the status server renders from each health snapshot (the provider table of GET /, the
// body of GET /api/v1/providers), kept per snapshot. warm() prepares them in the background
// when the engine publishes a snapshot, in slices, so no request pays for a rebuild.
import type { MaintenanceWindow, ProviderSummary } from '../store/store.js';
import { TimeSlicer } from '../time-slice.js';
import { renderProviderTable, renderProviderTableSliced, type ProviderTable } from './pages/status-page.js';
import { providerListJson } from './provider-list.js';
import { SnapshotCache } from './snapshot-cache.js';
import type { ServerSources } from './status-sources.js';

export interface CachedTable {
  table: ProviderTable;
  bytes: Buffer;
}

/** Active maintenance windows change how rows are shown: they are part of the table's key. */
function tableKey(at: number | undefined, maintenance: readonly MaintenanceWindow[], now: number): string {
  const active = maintenance.filter((w) => w.startsAt <= now && now < w.endsAt).map((w) => `${w.id}@${w.scope}`).join(',');
  return `${at}|${active}`;
}

export class SnapshotViews {
  readonly tableCache = new SnapshotCache<CachedTable>();
  readonly listCache = new SnapshotCache<Buffer>();
  /** The list with `?days=N` (one N at a time: clients poll one form). */
  readonly listDaysCache = new SnapshotCache<Buffer>();

  constructor(private readonly sources: ServerSources) {}

  /** The provider table for this snapshot, rendered now when not prepared yet. */
  table(snapshot: object | undefined, at: number | undefined, providers: readonly ProviderSummary[], maintenance: readonly MaintenanceWindow[], now: number): CachedTable {
    return this.tableCache.get(snapshot, tableKey(at, maintenance, now), () => {
      const table = renderProviderTable(providers, maintenance, now);
      return { table, bytes: Buffer.from(table.html.text) };
    });
  }

  /** The body of GET /api/v1/providers (days = 0) or of ?days=N. */
  list(snapshot: object | undefined, at: number | undefined, providers: readonly ProviderSummary[], days: number): Buffer {
    const cache = days === 0 ? this.listCache : this.listDaysCache;
    return cache.get(snapshot, `${at}|${days}`, () => Buffer.from(providerListJson(providers, days)));
  }

  /** Prepares the views of the store's current snapshot; cheap when they are already there. */
  async warm(): Promise<void> {
    const { store } = this.sources;
    const [snapshot, providers, maintenance] = await Promise.all([store.getSnapshot(), store.listProviders(), store.listMaintenance()]);
    if (!snapshot) return;
    const now = this.sources.now();
    const key = tableKey(snapshot.at, maintenance, now);
    if (!this.tableCache.has(snapshot, key)) {
      const slicer = new TimeSlicer();
      const table = await renderProviderTableSliced(providers, maintenance, now, () => slicer.yieldIfDue());
      // A newer snapshot may have been published while rendering: then this one is not stored.
      if ((await store.getSnapshot()) === snapshot) this.tableCache.put(snapshot, key, { table, bytes: Buffer.from(table.html.text) });
    }
    this.list(snapshot, snapshot.at, providers, 0);
  }
}
