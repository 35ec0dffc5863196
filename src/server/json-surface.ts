// JSON for the API: the store's read models as they are, with epoch-millisecond instants turned
// into ISO-8601 UTC strings (the output contract: times as ISO strings, durations as …Ms numbers).

/** Field names that hold instants (ms since the epoch) in the read models. */
const INSTANT_KEYS = new Set(['at', 'start', 't', 'time', 'startsAt', 'endsAt', 'openedAt', 'resolvedAt', 'lastSeen', 'lastSeenAt', 'createdAt', 'startedAt', 'generatedAt']);

function replacer(this: unknown, key: string, value: unknown): unknown {
  if (typeof value === 'number' && INSTANT_KEYS.has(key)) return Number.isFinite(value) ? new Date(value).toISOString() : null;
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  return value;
}

/** Serialises a read model for the API. */
export function toApiJson(value: unknown): string {
  return JSON.stringify(value, replacer);
}
