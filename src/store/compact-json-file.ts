// lowdb's data-file adapter with compact JSON (steno underneath: temporary file, then rename).
import { DataFile } from 'lowdb/node';

export function compactJsonFile<T>(path: string): DataFile<T> {
  // lowdb's JSONFile indents, which doubles the size of the files.
  return new DataFile<T>(path, { parse: (s) => JSON.parse(s) as T, stringify: (d) => JSON.stringify(d) });
}
