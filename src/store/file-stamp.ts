// Times in the store's file names, compact UTC ("20261123T120000Z"): shard files and moved-aside copies.

/** The stamp of a time, to the second. */
export function stampOf(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/** The time a stamp names ("yyyymmddThhmmssZ"), NaN when it names none. */
export function parseStamp(s: string): number {
  return Date.parse(`${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T${s.slice(9, 11)}:${s.slice(11, 13)}:${s.slice(13, 15)}Z`);
}
