// What a route handler returns: status, headers and body, written to the socket in one place
// (http-server.ts) so every response gets the same security headers and error shape.
import type { SafeHtml } from './html.js';
import { toApiJson } from './json-surface.js';

export interface Reply {
  status: number;
  headers: Record<string, string>;
  /** Several parts are sent one after the other (a cached Buffer need not be copied into a page). */
  body: string | Buffer | readonly (string | Buffer)[];
}

export function jsonReply(value: unknown, status = 200, contentType = 'application/json; charset=utf-8'): Reply {
  return { status, headers: { 'content-type': contentType }, body: toApiJson(value) };
}

export function htmlReply(page: SafeHtml, status = 200): Reply {
  return { status, headers: { 'content-type': 'text/html; charset=utf-8' }, body: page.text };
}

export function textReply(text: string, status = 200, contentType = 'text/plain; charset=utf-8'): Reply {
  return { status, headers: { 'content-type': contentType }, body: text };
}

/** An API error: a stable `error` code plus one human sentence. */
export function apiError(status: number, error: string, message: string, headers: Record<string, string> = {}): Reply {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify({ error, message }) };
}
