// Guards the operations that change state (incident notes, maintenance windows, silences):
// off without a configured token, and a bearer token compared in constant time when on.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { apiError, type Reply } from './reply.js';

/** Returns undefined when the request may write, else the 403/401 reply that says why. */
export function checkWriteAccess(req: IncomingMessage, token: string | undefined): Reply | undefined {
  if (token === undefined) {
    return apiError(403, 'writes_disabled', 'write operations are off: set server.token (or server.tokenFile) in the configuration to enable them');
  }
  const header = req.headers.authorization;
  const challenge = { 'www-authenticate': 'Bearer realm="egresswatch"' };
  if (!header) return apiError(401, 'unauthorized', 'this operation needs an "Authorization: Bearer <token>" header', challenge);
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m) return apiError(401, 'unauthorized', 'the Authorization header must be "Bearer <token>"', challenge);
  if (!sameSecret(m[1], token)) return apiError(401, 'unauthorized', 'the bearer token is not valid', { 'www-authenticate': 'Bearer realm="egresswatch", error="invalid_token"' });
  return undefined;
}

/** Compares digests so neither the length nor the content leaks through timing. */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
