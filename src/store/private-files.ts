// A data directory holds incident notes, process names and the hosts a machine talks to: only its
// owner reads it (directory 0700, files 0600). New files get that from the agent's umask; a
// directory made by an older version or by hand is tightened once, when the store opens.
import { chmodSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Makes `dir` and everything under it private to its owner when the directory is not already. */
export function keepPrivate(dir: string): void {
  if ((statSync(dir).mode & 0o077) === 0) return;
  tighten(dir);
}

function tighten(dir: string): void {
  chmodSync(dir, 0o700);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) tighten(path);
    else if (entry.isFile()) chmodSync(path, 0o600);
  }
}
