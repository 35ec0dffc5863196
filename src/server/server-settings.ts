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
}

export const DEFAULT_LISTEN = { host: '127.0.0.1', port: 9797 };

export function defaultServerSettings(): ServerSettings {
  return { listen: { ...DEFAULT_LISTEN }, metricsTopN: 50, hosts: [], limits: { ...DEFAULT_CONNECTION_LIMITS } };
}
