// Where the package's own data (data/: catalogue, range snapshots) is, whether running from
// dist/ or from the sources.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'data'))) return dir;
    const up = dirname(dir);
    if (up === dir) return start;
    dir = up;
  }
}

/** The package's data/ directory. */
export const packageDataDir = join(findPackageRoot(dirname(fileURLToPath(import.meta.url))), 'data');
