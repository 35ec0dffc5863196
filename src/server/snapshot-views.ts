// What the status server renders from each health snapshot (the provider table of GET /, the
// whole page gzip-compressed, the body of GET /api/v1/providers), kept per snapshot. warm()
// prepares them in the background when the engine publishes a snapshot, in slices (compression
// on libuv's thread pool), so no request pays for a rebuild.
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { isActive, type MaintenanceWindow } from '../health/alerts/suppression.js';
import type { ProviderSummary } from '../health/snapshot/health-snapshot.js';
import { TimeSlicer } from '../time-slice.js';
import { trusted } from './html.js';
import { renderProviderTable, renderProviderTableSliced, renderStatusPage, type ProviderTable } from './pages/status-page.js';
import { providerListJson } from './provider-list.js';
import { SnapshotCache } from './snapshot-cache.js';
import type { ServerSources } from './status-sources.js';

export interface CachedTable {
  table: ProviderTable;
  bytes: Buffer;
}

/** GET / in three parts: the page text around the cached table's bytes. */
export interface StatusPageParts {
  head: string;
  table: CachedTable;
  tail: string;
}

const gzipAsync = promisify(gzip);

/** Stands where the cached provider table goes; it cannot come from data (escaping removes "<"). */
const TABLE_MARK = '<!--egresswatch-provider-table-->';

/** Active maintenance windows change how rows are shown: they are part of the table's key. */
function tableKey(at: number | undefined, maintenance: readonly MaintenanceWindow[], now: number): string {
  const active = maintenance.filter((w) => isActive(w, now)).map((w) => `${w.id}@${w.scope}`).join(',');
  return `${at}|${active}`;
}

export class SnapshotViews {
  private readonly tableCache = new SnapshotCache<CachedTable>();
  private readonly listCache = new SnapshotCache<Buffer>();
  /** The list with `?days=N` (one N at a time: clients poll one form). */
  private readonly listDaysCache = new SnapshotCache<Buffer>();
  /** The whole of GET / compressed, and the parts it was made from (the page changes with them). */
  private gzipped: { parts: StatusPageParts; body: Buffer } | undefined;
  private compressing: Promise<void> | undefined;

  constructor(private readonly sources: ServerSources) {}

  /** The provider table for this snapshot, rendered now when not prepared yet. */
  table(snapshot: object | undefined, at: number | undefined, providers: readonly ProviderSummary[], maintenance: readonly MaintenanceWindow[], now: number): CachedTable {
    return this.tableCache.get(snapshot, tableKey(at, maintenance, now), () => {
      const table = renderProviderTable(providers, maintenance, now, this.sources.overview);
      return { table, bytes: Buffer.from(table.html.text) };
    });
  }

  /**
   * GET / for the store's current state. The page is rendered around a marker where the cached
   * table's bytes go, so the big table is neither copied into the page string nor encoded again.
   */
  async statusPage(): Promise<StatusPageParts> {
    const { store } = this.sources;
    const [snapshot, providers, openIncidents, maintenance] = await Promise.all([store.getSnapshot(), store.listProviders(), store.listIncidents({ state: 'open' }), store.listMaintenance()]);
    const now = this.sources.now();
    const table = this.table(snapshot, snapshot?.at, providers, maintenance, now);
    const page = renderStatusPage({ monitoring: this.sources.monitoring(), providers, openIncidents, maintenance, now }, { html: trusted(TABLE_MARK), states: table.table.states }).text;
    const at = page.indexOf(TABLE_MARK);
    return { head: page.slice(0, at), table, tail: page.slice(at + TABLE_MARK.length) };
  }

  /**
   * The page compressed when it was compressed from these very parts; otherwise undefined, and
   * compression starts in the background for the next request.
   */
  gzippedPage(parts: StatusPageParts): Buffer | undefined {
    const g = this.gzipped;
    if (g && g.parts.table === parts.table && g.parts.head === parts.head && g.parts.tail === parts.tail) {
      return g.body;
    }
    void this.compress(parts);
    return undefined;
  }

  private compress(parts: StatusPageParts): Promise<void> {
    this.compressing ??= gzipAsync(Buffer.concat([Buffer.from(parts.head), parts.table.bytes, Buffer.from(parts.tail)]))
      .then((body) => void (this.gzipped = { parts, body }), () => undefined)
      .finally(() => (this.compressing = undefined));
    return this.compressing;
  }

  /** True when the list body for this snapshot and `days` is prepared. */
  hasList(snapshot: object | undefined, at: number | undefined, days: number): boolean {
    return (days === 0 ? this.listCache : this.listDaysCache).has(snapshot, `${at}|${days}`);
  }

  /** The body of GET /api/v1/providers (days = 0) or of ?days=N; the providers are read only to build it. */
  list(snapshot: object | undefined, at: number | undefined, providers: () => readonly ProviderSummary[], days: number): Buffer {
    const cache = days === 0 ? this.listCache : this.listDaysCache;
    return cache.get(snapshot, `${at}|${days}`, () => Buffer.from(providerListJson(providers(), days)));
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
      const table = await renderProviderTableSliced(providers, maintenance, now, () => slicer.yieldIfDue(), this.sources.overview);
      // A newer snapshot may have been published while rendering: then this one is not stored.
      if ((await store.getSnapshot()) === snapshot) this.tableCache.put(snapshot, key, { table, bytes: Buffer.from(table.html.text) });
    }
    this.list(snapshot, snapshot.at, () => providers, 0);
    const parts = await this.statusPage();
    if (this.gzippedPage(parts) === undefined) await this.compress(parts);
  }
}
