// What the health engine needs of a store: rollups in, history and alert state back. Declared here,
// where it is used, so the engine depends on no store module; src/store/store.ts extends it with
// what the server reads.
import type { AlertState } from './alerts/alert.js';
import type { Incident } from './alerts/incident.js';
import type { MaintenanceWindow, Silence } from './alerts/suppression.js';
import type { Bucket, RollupLevel } from './rollups/bucket.js';
import type { HealthSnapshot } from './snapshot/health-snapshot.js';

export interface BucketQuery {
  level: RollupLevel;
  /** Inclusive start and exclusive end of bucket starts. */
  from: number;
  to: number;
  /** Restrict to these series keys; all series when absent. */
  keys?: readonly string[];
  /** Restrict to series whose key starts with this prefix (e.g. "endpoint|aws|"). */
  keyPrefix?: string;
}

export interface IncidentQuery {
  state?: 'open' | 'resolved';
  providerId?: string;
  /** Incidents open at some point in [from, to). */
  from?: number;
  to?: number;
  limit?: number;
}

/**
 * Writes change the store's memory first and then its files. When the files cannot be written
 * (disk full, a file that cannot be read or replaced) the write throws, but the change is kept in
 * memory, served by reads and written by the next write or flushPending() that succeeds: a
 * failed write never loses data that was handed over, and it is never to be handed over twice.
 */
export interface EngineStore {
  /**
   * Merges buckets into the rollups (counters add, sketches merge), in one batch. Called by the
   * engine's flush, never per event, so a flush rewrites only the shards these buckets touch.
   */
  mergeBuckets(buckets: readonly Bucket[]): Promise<void>;

  /** Buckets of one level in a time range, optionally restricted to some series. */
  queryBuckets(query: BucketQuery): Promise<Bucket[]>;

  /** Drops buckets older than each level's retention (in ms), relative to now. */
  prune(now: number, retentionMs: Readonly<Record<RollupLevel, number>>): Promise<void>;

  /** Replaces the latest health snapshot (what the status page and API show). */
  putSnapshot(snapshot: HealthSnapshot): Promise<void>;

  /** Incidents, newest first. */
  listIncidents(query?: IncidentQuery): Promise<Incident[]>;

  /** Creates or replaces an incident (the engine opens, updates and resolves them). */
  putIncident(incident: Incident): Promise<void>;

  /** Maintenance windows and silences, which the engine's suppression reads at every tick. */
  listMaintenance(): Promise<MaintenanceWindow[]>;

  listSilences(): Promise<Silence[]>;

  /** Alert evaluator state, so a restart neither re-notifies firing alerts nor forgets to resolve them. */
  getAlertState(): Promise<AlertState>;

  putAlertState(state: AlertState): Promise<void>;

  /** Writes whatever earlier writes left unwritten; throws while the files still cannot be written. */
  flushPending(): Promise<void>;
}
