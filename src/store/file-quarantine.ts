// Files the store cannot use are renamed "<name>.corrupt-<time>" and reported, never overwritten:
// in the report open() returns, and through onNotice for those met after open.
import { renameSync } from 'node:fs';
import { stampOf } from './file-stamp.js';
import { StoreError } from './store-error.js';
import type { StoreOpenReport } from './store.js';

export class FileQuarantine {
  private readonly report: StoreOpenReport = { notices: [], movedAside: [] };
  private opened = false;
  private readonly leftInPlace = new Set<string>();

  /** `now` names the moved-aside files; `onNotice` hears of each move after open. */
  constructor(private readonly now: () => number, private readonly onNotice: (line: string) => void) {}

  /** Renames an unusable file aside; throws a StoreError when even that fails, since its period cannot start empty then. */
  moveAside(path: string, problem: string): void {
    const failed = this.rename(path, problem);
    if (failed) throw new StoreError(`store: ${path} is unusable (${problem}) and could not be moved aside (${failed})`);
  }

  /**
   * Renames an unusable shard aside, or, when even that fails, reports it left in place; false
   * then: the caller keeps the period's new data in memory and never writes over the file.
   */
  tryMoveAside(path: string, problem: string): boolean {
    const failed = this.rename(path, problem);
    // A shard read again after eviction would repeat the notice: once per file is enough.
    if (failed && !this.leftInPlace.has(path)) {
      this.leftInPlace.add(path);
      this.notice(`store: ${path} is unusable (${problem}) and could not be moved aside (${failed}); left in place, new data of its period is kept in memory only`);
    }
    return failed === undefined;
  }

  /** The error code when the rename failed, undefined when the file was moved and reported. */
  private rename(path: string, problem: string): string | undefined {
    const target = `${path}.corrupt-${stampOf(this.now())}`;
    try {
      renameSync(path, target);
    } catch (err) {
      return (err as NodeJS.ErrnoException).code ?? 'error';
    }
    this.report.movedAside.push(target);
    this.notice(`store: ${path} is unusable (${problem}); moved aside to ${target}, that period starts empty`);
    return undefined;
  }

  private notice(line: string): void {
    this.report.notices.push(line);
    if (this.opened) this.onNotice(line);
  }

  /** Marks the store open and returns what was moved so far; later moves are told through onNotice as well. */
  openReport(): StoreOpenReport {
    this.opened = true;
    return { notices: this.report.notices.slice(), movedAside: this.report.movedAside.slice() };
  }
}
