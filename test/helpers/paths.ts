// Locations tests need, the same whether a test runs compiled (dist/test) or through tsx (test/).
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, 'package.json')) || dir.endsWith('/dist')) {
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json not found above ' + start);
    dir = up;
  }
  return dir;
}

/** The repository root (where package.json is). */
export const repoRoot = findRoot(dirname(fileURLToPath(import.meta.url)));

/** The project's sample data (data/). */
export const dataDir = join(repoRoot, 'data');

/**
 * Reference data that is not committed (e.g. a real AWS ip-ranges.json), from the
 * EGRESSWATCH_REFERENCE_DATA directory; tests and benchmarks that need it skip or fall back when
 * it is unset or absent.
 */
export const referenceDataDir = process.env.EGRESSWATCH_REFERENCE_DATA ?? join(repoRoot, 'reference-data');

/** A per-test output folder for artefacts (pcaps, screenshots), kept after the run for humans. */
export function testOutputDir(name: string): string {
  const dir = join(repoRoot, 'test-output', name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
