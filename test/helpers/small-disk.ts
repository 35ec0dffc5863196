// A small tmpfs the test mounts (root only) to make a disk fill up for real: ENOSPC from the
// kernel, not a mocked write.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SmallDisk {
  dir: string;
  /** Fills the disk until the kernel says ENOSPC. */
  fill(): void;
  /** Frees what fill() took. */
  free(): void;
  /** Unmounts and removes the mount point; safe to call twice. */
  remove(): void;
}

export function mountSmallDisk(sizeKiB = 2048): SmallDisk {
  const dir = mkdtempSync(join(tmpdir(), 'ew-disk-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKiB}k,mode=0755`, 'tmpfs', dir]);
  // Outside the store's data directory, which must stay a store's alone.
  const filler = join(dir, 'filler');
  let mounted = true;
  return {
    dir,
    fill() {
      const fd = openSync(filler, 'a');
      const chunk = Buffer.alloc(4096, 1);
      try {
        for (;;) writeSync(fd, chunk);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      } finally {
        closeSync(fd);
      }
    },
    free() {
      writeFileSync(filler, '');
    },
    remove() {
      if (mounted) execFileSync('umount', ['-l', dir]);
      mounted = false;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
