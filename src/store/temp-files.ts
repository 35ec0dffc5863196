// The temporary files of lowdb's writer (steno writes "<dir>/.<name>.tmp", then renames it over the
// file). A write that fails half way (disk full) leaves one behind: it is removed at once, and any
// left by a crash are removed when the store opens.
import { readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** The temporary file the writer uses for `path`. */
export function tempPathOf(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp`);
}

/** Removes the temporary file of a write to `path` that failed; never throws. */
export function removeTempOf(path: string): void {
  try {
    rmSync(tempPathOf(path), { force: true });
  } catch {
    // Best effort: the next write of the same file replaces it anyway.
  }
}

/** Removes the writer's temporary files in `dir` (not recursive); returns how many. */
export function removeStaleTemps(dir: string): number {
  let removed = 0;
  for (const name of readdirSync(dir)) {
    if (!/^\..+\.tmp$/.test(name)) continue;
    rmSync(join(dir, name), { force: true });
    removed++;
  }
  return removed;
}
