// Files the store cannot use are renamed "<name>.corrupt-<time>" and reported, never overwritten:
// in the report open() returns, and through onNotice for those met after open.
import { renameSync } from 'node:fs';
import { stampOf } from './file-stamp.js';
import { StoreError } from './store-error.js';
import type { StoreOpenReport } from './store.js';

export class FileQuarantine {
  private readonly report: StoreOpenReport = { notices: [], movedAside: [] };
  private opened = false;

  /** `now` names the moved-aside files; `onNotice` hears of each move after open. */
  constructor(private readonly now: () => number, private readonly onNotice: (line: string) => void) {}

  /** Renames an unusable file aside; throws a StoreError when even that fails, since its period cannot start empty then. */
  moveAside(path: string, problem: string): void {
    const target = `${path}.corrupt-${stampOf(this.now())}`;
    try {
      renameSync(path, target);
    } catch (err) {
      throw new StoreError(`store: ${path} is unusable (${problem}) and could not be moved aside (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    const line = `store: ${path} is unusable (${problem}); moved aside to ${target}, that period starts empty`;
    this.report.notices.push(line);
    this.report.movedAside.push(target);
    if (this.opened) this.onNotice(line);
  }

  /** Marks the store open and returns what was moved so far; later moves are told through onNotice as well. */
  openReport(): StoreOpenReport {
    this.opened = true;
    return { notices: this.report.notices.slice(), movedAside: this.report.movedAside.slice() };
  }
}
