// The registrable domain of a DNS name (e.g. api.stripe.com → stripe.com) from the public suffix
// list compiled into tldts; names outside the list (cluster.local) use its default rule.
import { getDomain } from 'tldts';

const CACHE_LIMIT = 20_000;
const cache = new Map<string, string>();

// The A and AAAA transactions of one lookup finish one after the other: the last name answers
// half the calls without a map lookup.
let lastName = '';
let lastZone = '.';

/** The zone a name is accounted under; the name itself when it has no registrable part. */
export function registrableDomain(name: string): string {
  if (name === lastName) return lastZone;
  lastZone = zoneOf(name);
  lastName = name;
  return lastZone;
}

function zoneOf(name: string): string {
  const hit = cache.get(name);
  if (hit !== undefined) return hit;
  let zone: string | null = null;
  if (name.includes('.')) {
    try {
      zone = getDomain(name, { extractHostname: false, validateHostname: false, allowPrivateDomains: false });
    } catch {
      zone = null; // tldts does not throw on odd input today; a label it cannot read keeps the name
    }
  }
  const result = zone ?? (name === '' ? '.' : name);
  // Random-name floods would grow the cache without bound: start over instead.
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(name, result);
  return result;
}
