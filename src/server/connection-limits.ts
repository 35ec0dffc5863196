// Limits on the status server's connections, so a flood of idle or slow connections cannot take
// the agent's file descriptors (which its checks and store need) or the page away from everyone:
// a total cap, a cap per client address, and timeouts for a request's headers and whole request.
import type { Server, Socket } from 'node:net';

export interface ConnectionLimits {
  /** Open connections at most (further ones are closed at once). */
  maxConnections: number;
  /** Open connections at most from one client address. */
  maxPerClient: number;
  /** Time a client has to send a request's headers. */
  headersTimeoutMs: number;
  /** Time a client has to send a whole request. */
  requestTimeoutMs: number;
}

/** How often node looks for connections past their headers or request timeout. */
export const CHECK_INTERVAL_MS = 1000;

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = { maxConnections: 256, maxPerClient: 32, headersTimeoutMs: 10_000, requestTimeoutMs: 30_000 };

/** Counts connections refused by each limit (the status server's own metrics report them). */
export interface RefusedConnections {
  overTotal: number;
  overPerClient: number;
}

/** Applies the limits to an HTTP server; returns the live count of refusals. */
export function limitConnections(server: Server & { headersTimeout: number; requestTimeout: number }, limits: ConnectionLimits): RefusedConnections {
  const refused: RefusedConnections = { overTotal: 0, overPerClient: 0 };
  const perClient = new Map<string, number>();
  // Node closes connections over maxConnections as soon as they are accepted: they hold no descriptor.
  server.maxConnections = limits.maxConnections;
  server.on('drop', () => refused.overTotal++);
  // Also covers a connection that never sends a byte: node answers 408 and closes it (checked
  // every CHECK_INTERVAL_MS, which the server is created with).
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.on('connection', (socket: Socket) => {
    const client = socket.remoteAddress ?? '';
    const open = (perClient.get(client) ?? 0) + 1;
    if (open > limits.maxPerClient) {
      refused.overPerClient++;
      socket.destroy();
      return;
    }
    perClient.set(client, open);
    socket.once('close', () => {
      const left = (perClient.get(client) ?? 1) - 1;
      if (left > 0) perClient.set(client, left);
      else perClient.delete(client);
    });
  });
  return refused;
}
