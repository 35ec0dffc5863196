// Maps a method and a path to a handler, with "{name}" path parameters decoded once here.
import type { IncomingMessage } from 'node:http';
import type { Reply } from './reply.js';

export interface RequestContext {
  req: IncomingMessage;
  url: URL;
  /** Path parameters by name, percent-decoded. */
  params: Record<string, string>;
  /** The request body (only read for methods that carry one), at most the server's limit. */
  body: Buffer;
}

export type Handler = (ctx: RequestContext) => Reply | Promise<Reply>;

interface Route {
  method: string;
  segments: string[];
  handler: Handler;
}

export type RouteResult =
  | { kind: 'found'; handler: Handler; params: Record<string, string> }
  | { kind: 'method_not_allowed'; allow: string[] }
  | { kind: 'not_found' }
  | { kind: 'bad_path' };

export class Router {
  private readonly routes: Route[] = [];

  /** Registers `pattern` such as "/api/v1/providers/{id}"; a segment in braces is a parameter. */
  add(method: string, pattern: string, handler: Handler): this {
    this.routes.push({ method, segments: split(pattern), handler });
    return this;
  }

  match(method: string, pathname: string): RouteResult {
    let segments: string[];
    try {
      segments = split(pathname).map((s) => decodeURIComponent(s));
    } catch {
      return { kind: 'bad_path' };
    }
    const allow: string[] = [];
    for (const route of this.routes) {
      const params = matchSegments(route.segments, segments);
      if (!params) continue;
      if (route.method === method || (method === 'HEAD' && route.method === 'GET')) return { kind: 'found', handler: route.handler, params };
      allow.push(route.method);
    }
    return allow.length ? { kind: 'method_not_allowed', allow } : { kind: 'not_found' };
  }
}

function split(path: string): string[] {
  return path.split('/').filter((s, i, all) => s !== '' || (i > 0 && i < all.length - 1));
}

function matchSegments(pattern: string[], actual: string[]): Record<string, string> | undefined {
  if (pattern.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i];
    if (p.startsWith('{') && p.endsWith('}')) {
      if (actual[i] === '') return undefined;
      params[p.slice(1, -1)] = actual[i];
    } else if (p !== actual[i]) return undefined;
  }
  return params;
}
