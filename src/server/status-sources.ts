// Where the server reads from: the store (health read models, incidents, maintenance, silences),
// the DNS analyzer's latest snapshot, and what the agent itself monitors or cannot.
import type { DnsSnapshot } from '../dns/types.js';
import type { Store } from '../store/store.js';
import type { PageSettings } from './server-settings.js';

/** What this agent watches and what it cannot, shown at the top of every page and in /healthz. */
export interface MonitoringStatus {
  /** When the agent started, ms since the epoch. */
  startedAt: number;
  version: string;
  capture: { state: 'starting' | 'live' | 'unavailable' | 'off'; detail: string };
  /** Signals not monitored because of a missing piece, one line each. */
  notMonitored: string[];
  /** Configured blackbox checks. */
  checks: number;
  /** Resolvers the host uses (from resolv.conf or configuration). */
  resolvers: string[];
  /**
   * Stages that run, by name, with a state and one line each (e.g. store: "lowdb store in …"):
   * warn when a stage works without something, fail when it cannot do its job (a store that
   * cannot write).
   */
  stages: Record<string, { status: 'pass' | 'warn' | 'fail'; detail: string }>;
  /** The title and logo every page's header shows (default: "egresswatch", no logo). */
  site?: { title: string; logoUrl: string | null };
  /** Capture records lost before user space since start, by reason (empty: none). */
  captureLost?: Readonly<Record<string, number>>;
  /** The engine's bounds: whether it sheds detail for memory, and events counted as "other". */
  limits?: { shedding: boolean; foldedEvents: number };
}

export interface ServerSources {
  store: Store;
  /** Provider groups and providers hidden from the overview (default: none). */
  overview?: { groups: PageSettings['groups']; hide: string[] };
  /** The DNS analyzer's latest snapshot; undefined when DNS analysis is not running. */
  dns(): DnsSnapshot | undefined;
  monitoring(): MonitoringStatus;
  /** Clock for "now" (tests pin it). */
  now(): number;
}
