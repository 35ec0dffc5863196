// JSON for the API: the store's read models as they are, with epoch-millisecond instants turned
// into ISO-8601 UTC strings (the output contract: times as ISO strings, durations as …Ms numbers).

/** Field names that hold instants (ms since the epoch) in the read models. */
const INSTANT_KEYS = new Set(['at', 'start', 't', 'time', 'startsAt', 'endsAt', 'openedAt', 'resolvedAt', 'lastSeen', 'lastSeenAt', 'createdAt', 'startedAt']);

/** The same day starts and minute marks recur in every provider's series: format each once. */
const isoCache = new Map<number, string | null>();
const ISO_CACHE_MAX = 20_000;

function iso(ms: number): string | null {
  let text = isoCache.get(ms);
  if (text === undefined) {
    text = Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : null;
    if (isoCache.size >= ISO_CACHE_MAX) isoCache.clear();
    isoCache.set(ms, text);
  }
  return text;
}

/** A copy with instants as ISO strings (a walk is faster than a JSON.stringify replacer here). */
function withIsoTimes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withIsoTimes);
  if (value === null || typeof value !== 'object') return typeof value === 'number' && !Number.isFinite(value) ? null : value;
  const out: Record<string, unknown> = {};
  for (const key in value) {
    const v = (value as Record<string, unknown>)[key];
    out[key] = typeof v === 'number' && INSTANT_KEYS.has(key) ? iso(v) : typeof v === 'object' && v !== null ? withIsoTimes(v) : v;
  }
  return out;
}

/** Serialises a read model for the API. */
export function toApiJson(value: unknown): string {
  return JSON.stringify(withIsoTimes(value));
}
