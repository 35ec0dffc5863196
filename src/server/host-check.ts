// Which Host headers the server answers: a page on 127.0.0.1 must not be readable by a web page
// that points its own domain at 127.0.0.1 (DNS rebinding). IP literals cannot be rebound, so
// they always pass, as do localhost, this machine's name and the names in server.hosts.
import { hostname } from 'node:os';
import { isIP } from 'node:net';

export function hostAllowed(header: string | undefined, extra: readonly string[]): boolean {
  // HTTP/1.0 clients may send none: nothing to rebind.
  if (header === undefined || header === '') return true;
  const host = hostOf(header).toLowerCase().replace(/\.$/, '');
  if (isIP(host) !== 0) return true;
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const self = hostname().toLowerCase();
  if (host === self || host === self.split('.')[0]) return true;
  return extra.some((h) => h.toLowerCase() === host);
}

/** The host part of a Host header: "[::1]:9797" → "::1", "name:9797" → "name". */
function hostOf(header: string): string {
  if (header.startsWith('[')) {
    const end = header.indexOf(']');
    return end > 0 ? header.slice(1, end) : header;
  }
  const colon = header.lastIndexOf(':');
  return colon > 0 && header.indexOf(':') === colon ? header.slice(0, colon) : header;
}
