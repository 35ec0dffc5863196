// The HTTP server on node:http: routes requests, reads bounded bodies, writes every reply with
// the same security headers, and turns handler faults into a 500 without a stack trace.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { CHECK_INTERVAL_MS, DEFAULT_CONNECTION_LIMITS, limitConnections, type ConnectionLimits, type RefusedConnections } from './connection-limits.js';
import { hostAllowed } from './host-check.js';
import type { AddressInfo } from 'node:net';
import { oneLine } from '../errors.js';
import type { MetricsExporter } from './metrics.js';
import { addReadRoutes } from './read-routes.js';
import { apiError, textReply, type Reply } from './reply.js';
import { Router } from './router.js';
import { SnapshotViews } from './snapshot-views.js';
import { StaticAssets } from './static-assets.js';
import type { ServerSources } from './status-sources.js';
import { addWriteRoutes } from './write-routes.js';

export interface StatusServerOptions {
  sources: ServerSources;
  metrics: MetricsExporter;
  /** Bearer token for the write operations; undefined turns them off (403). */
  token?: string;
  /** Largest request body accepted (default 64 KiB). */
  maxBodyBytes?: number;
  /** Called with one line for each request that failed inside the server (500s). */
  onError?: (message: string) => void;
  /** Host names accepted besides IP literals, localhost and this machine's name (host-check.ts). */
  hosts?: readonly string[];
  /** Connection caps and request timeouts (connection-limits.ts). */
  limits?: ConnectionLimits;
  /** The logo the pages show (server.page.logoUrl): its origin is allowed for images. */
  logoUrl?: string | null;
}

export interface ListenAddress {
  host: string;
  port: number;
}

/**
 * Scripts only from this origin, no inline script or style: even if some text escaped the
 * escaping, the browser would refuse to run it.
 */
function securityHeaders(logoUrl: string | null | undefined): Record<string, string> {
  // A logo on another server (server.page.logoUrl) is the one image allowed from elsewhere.
  const logoOrigin = logoUrl && /^https?:/.test(logoUrl) ? ` ${new URL(logoUrl).origin}` : '';
  return {
    'content-security-policy': `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:${logoOrigin}; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
  };
}

export class StatusServer {
  readonly router = new Router();
  private readonly server: Server;
  private readonly maxBodyBytes: number;
  /** Per-snapshot renders, prepared after each new snapshot. */
  private readonly views: SnapshotViews;
  /** Connections closed at once because a limit was reached. */
  readonly refused: RefusedConnections;
  private readonly securityHeaders: Record<string, string>;

  constructor(private readonly options: StatusServerOptions) {
    this.maxBodyBytes = options.maxBodyBytes ?? 64 * 1024;
    this.securityHeaders = securityHeaders(options.logoUrl);
    this.views = new SnapshotViews(options.sources);
    addReadRoutes(this.router, { sources: options.sources, metrics: options.metrics, assets: new StaticAssets(), views: this.views });
    addWriteRoutes(this.router, options.sources, options.token);
    this.server = createServer({ keepAliveTimeout: 5000, connectionsCheckingInterval: CHECK_INTERVAL_MS }, (req, res) => void this.handle(req, res));
    this.refused = limitConnections(this.server, options.limits ?? DEFAULT_CONNECTION_LIMITS);
  }

  /** Starts listening; resolves with the bound address (port 0 picks a free one). */
  listen(address: ListenAddress): Promise<ListenAddress> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.server.once('error', onError);
      this.server.listen(address.port, address.host, () => {
        this.server.off('error', onError);
        const a = this.server.address() as AddressInfo;
        resolve({ host: a.address, port: a.port });
      });
    });
  }

  /**
   * Prepares what the pages and /metrics derive from the store's current snapshot (provider
   * table, provider list, metrics text) in the background, in slices: call it after each engine
   * tick so the first request after a new snapshot costs no more than any other.
   */
  async warm(): Promise<void> {
    await this.views.warm();
    await this.options.metrics.render();
  }

  /** Stops accepting connections and closes idle keep-alive ones; resolves when all are done. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
      // Requests in flight get a moment to finish, then their sockets go too.
      setTimeout(() => this.server.closeAllConnections(), 2000).unref();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let reply: Reply;
    try {
      reply = await this.route(req);
    } catch (err) {
      this.options.onError?.(`${req.method} ${req.url}: ${oneLine(err)}`);
      reply = apiError(500, 'internal', 'the server failed to answer this request; see the agent log');
    }
    const headers: Record<string, string | number> = { ...this.securityHeaders, 'cache-control': 'no-store', ...reply.headers };
    const parts = (Array.isArray(reply.body) ? reply.body : [reply.body]).map((b: string | Buffer) => (typeof b === 'string' ? Buffer.from(b) : b));
    if (reply.status !== 204 && reply.status !== 304) headers['content-length'] = parts.reduce((n, b) => n + b.length, 0);
    res.writeHead(reply.status, headers);
    if (req.method === 'HEAD' || reply.status === 204 || reply.status === 304) {
      res.end();
      return;
    }
    for (let i = 0; i < parts.length - 1; i++) res.write(parts[i]);
    res.end(parts[parts.length - 1]);
  }

  private async route(req: IncomingMessage): Promise<Reply> {
    if (!hostAllowed(req.headers.host, this.options.hosts ?? [])) {
      await drain(req);
      return apiError(421, 'misdirected_request', `this agent does not answer for host ${JSON.stringify(req.headers.host)}; reach it by its address, or add the name to server.hosts`);
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const found = this.router.match(method, url.pathname);
    if (found.kind === 'bad_path') return apiError(400, 'bad_request', 'the path is not valid percent-encoding');
    if (found.kind === 'method_not_allowed') {
      await drain(req);
      return apiError(405, 'method_not_allowed', `${method} is not allowed here; allowed: ${[...new Set(found.allow)].join(', ')}`, { allow: [...new Set(found.allow)].join(', ') });
    }
    if (found.kind === 'not_found') {
      await drain(req);
      return url.pathname.startsWith('/api/') ? apiError(404, 'not_found', `no such API path: ${url.pathname}`) : textReply(`Not found: ${url.pathname}\n`, 404);
    }
    let body: Buffer = Buffer.alloc(0);
    if (method === 'POST' || method === 'PUT' || method === 'PATCH' || method === 'DELETE') {
      const read = await readBody(req, this.maxBodyBytes);
      if (read === 'too_large') return apiError(413, 'too_large', `the request body exceeds ${this.maxBodyBytes} bytes`);
      body = read;
    }
    return found.handler({ req, url, params: found.params, body });
  }
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too_large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      req.resume();
      return 'too_large';
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

async function drain(req: IncomingMessage): Promise<void> {
  req.resume();
}
