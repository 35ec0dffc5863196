// The Store: the narrow interface through which the health engine persists rollups and state and
// the server reads them back. Rollups in (buckets), series and state out (snapshot, incidents,
// maintenance, silences, alert state); the domain types are defined where they are made.
//
// The embedded default keeps pre-aggregated rollups in sharded lowdb files (src/store/lowdb-store.ts);
// an in-memory implementation (src/store/memory-store.ts) serves tests, and a Prometheus-backed one
// can replace both later because nothing else touches files. Raw events are never stored.
// Times are milliseconds since the Unix epoch; ISO strings are added only at the JSON surface.
import type { Incident, IncidentNote } from '../health/alerts/incident.js';
import type { MaintenanceWindow, Silence } from '../health/alerts/suppression.js';
import type { EngineStore, BucketQuery, IncidentQuery } from '../health/engine-store.js';
import type { LatencySignal, RollupLevel, SeriesId } from '../health/rollups/bucket.js';
import type { EndpointSummary, HealthSnapshot, ProviderDetail, ProviderSummary, SeriesPoint } from '../health/snapshot/health-snapshot.js';

export type { BucketQuery, IncidentQuery };

/** The whole store: the engine's side (EngineStore) and what the server reads and operators change. */
export interface Store extends EngineStore {
  /** Human description for logs, e.g. "lowdb store in <dir>". */
  readonly description: string;

  /**
   * Loads what exists (creating an empty store when nothing does). Corrupt or future-version files
   * are moved aside (renamed *.corrupt-<time>) and reported through the returned notices, never
   * overwritten silently.
   */
  open(): Promise<StoreOpenReport>;

  /** Flushes pending writes and releases files; the store is unusable afterwards. */
  close(): Promise<void>;

  /** The latest snapshot, or undefined before the first tick. */
  getSnapshot(): Promise<HealthSnapshot | undefined>;

  /** Provider rows of the latest snapshot (without endpoints or series detail beyond the sparkline). */
  listProviders(): Promise<ProviderSummary[]>;

  /** One provider with endpoints, phases, affected hosts, incidents and maintenance; undefined if unknown. */
  getProvider(id: string): Promise<ProviderDetail | undefined>;

  /** Every endpoint of the latest snapshot. */
  listEndpoints(): Promise<EndpointSummary[]>;

  getEndpoint(id: string): Promise<EndpointSummary | undefined>;

  /**
   * A series over a window, from the coarsest level that still has the step asked for
   * (minute for ≤ 6 h windows, hour for ≤ 35 d, day beyond, unless `level` says otherwise).
   */
  querySeries(query: SeriesQuery): Promise<SeriesPoint[]>;

  getIncident(id: string): Promise<Incident | undefined>;

  /** Appends an operator's note to an incident (also to its timeline); undefined if the id is unknown. */
  addIncidentNote(id: string, note: IncidentNote): Promise<Incident | undefined>;

  /** Adds a window (id assigned by the caller) or replaces one with the same id. */
  putMaintenance(window: MaintenanceWindow): Promise<void>;

  /** Returns false when the id is unknown. */
  deleteMaintenance(id: string): Promise<boolean>;

  putSilence(silence: Silence): Promise<void>;

  deleteSilence(id: string): Promise<boolean>;

}

/** A series request from the server: which series, which signal, which window. */
export interface SeriesQuery {
  series: SeriesId;
  /** A latency signal, or "success" for counts and failures (DNS + TCP + checks combined). */
  signal: LatencySignal | 'success';
  from: number;
  to: number;
  level?: RollupLevel;
}

export interface StoreOpenReport {
  /** One line per problem met while opening (file moved aside, schema upgraded…). */
  notices: string[];
  /** Files moved aside as corrupt, with their new names. */
  movedAside: string[];
}
