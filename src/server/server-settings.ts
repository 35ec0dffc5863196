// Settings of the status server (the `server:` section): listen address, write token, /metrics size.
import { DEFAULT_CONNECTION_LIMITS, type ConnectionLimits } from './connection-limits.js';

export interface ServerSettings {
  listen: { host: string; port: number };
  /** Bearer token for write operations; undefined: they are off. */
  token?: string;
  metricsTopN: number;
  /** Host names, besides IP literals, localhost and this machine's name, that the page may be reached by. */
  hosts: string[];
  /** Connection caps and request timeouts. */
  limits: ConnectionLimits;
  /** How the pages present this agent and its providers. */
  page: PageSettings;
}

export interface PageSettings {
  /** Shown in the header and every page title. */
  title: string;
  /** An image shown beside the title: an http(s) URL or a path on this server; null: none. */
  logoUrl: string | null;
  /** Providers shown together under a heading, in this order; the rest follow under "Other providers". */
  groups: Array<{ name: string; providers: string[] }>;
  /** Providers left out of the overview page (their own pages, API and metrics stay). */
  hide: string[];
}

export const DEFAULT_LISTEN = { host: '127.0.0.1', port: 9797 };

export function defaultServerSettings(): ServerSettings {
  return { listen: { ...DEFAULT_LISTEN }, metricsTopN: 50, hosts: [], limits: { ...DEFAULT_CONNECTION_LIMITS }, page: { title: 'egresswatch', logoUrl: null, groups: [], hide: [] } };
}
