// meta.json: says a directory holds an egresswatch store and which store schema wrote it. Created
// in a new directory; a directory of something else, or of a newer egresswatch, is refused.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { compactJsonFile } from './compact-json-file.js';
import type { FileQuarantine } from './file-quarantine.js';
import { StoreError } from './store-error.js';

const META_FORMAT = 'egresswatch-store';
const META_SCHEMA = 1;

/** Checks (or writes) the store's meta.json in `dir`; an unparsable one is moved aside and written afresh. */
export async function openStoreMeta(dir: string, quarantine: FileQuarantine): Promise<void> {
  const path = join(dir, 'meta.json');
  const meta = new Low<{ format: string; schema: number }>(compactJsonFile(path), { format: META_FORMAT, schema: META_SCHEMA });
  let exists = true;
  let corrupt = false;
  try {
    const before = meta.data;
    await meta.read();
    exists = meta.data !== before;
  } catch {
    quarantine.moveAside(path, 'not valid JSON');
    exists = false;
    corrupt = true;
  }
  if (!exists && !corrupt) refuseForeignDirectory(dir);
  const d = meta.data as { format?: unknown; schema?: unknown };
  if (exists && (d.format !== META_FORMAT || typeof d.schema !== 'number')) {
    throw new StoreError(`store: ${path} does not describe an egresswatch store; choose another data directory`);
  }
  if (exists && (d.schema as number) > META_SCHEMA) {
    // Newer data must not be rewritten by an older program: refuse rather than move it aside.
    throw new StoreError(`store: ${dir} was written by a newer egresswatch (store schema ${String(d.schema)}, this program knows ${META_SCHEMA}); upgrade egresswatch or use another data directory`);
  }
  // Schema upgrades run here when META_SCHEMA grows (none yet: version 1 is the first).
  if (!exists) {
    meta.data = { format: META_FORMAT, schema: META_SCHEMA };
    await meta.write();
  }
}

/** A directory without meta.json must be empty: the store never mixes its files into someone else's. */
function refuseForeignDirectory(dir: string): void {
  const others = readdirSync(dir).filter((name) => name !== '.meta.json.tmp');
  if (others.length === 0) return;
  const shown = others.slice(0, 3).map((n) => JSON.stringify(n)).join(', ');
  throw new StoreError(`store: ${dir} is not empty (${shown}${others.length > 3 ? ', …' : ''}) and is not an egresswatch data directory (no meta.json); choose a new or empty directory`);
}
