// state.json: the store's state document (incidents, maintenance, silences, alert state) on disk.
// The snapshot is never written: it is large and recomputed at every tick.
import { join } from 'node:path';
import { Low } from 'lowdb';
import { compactJsonFile } from './compact-json-file.js';
import type { FileQuarantine } from './file-quarantine.js';
import { StoreError } from './store-error.js';
import { removeTempOf } from './temp-files.js';
import { emptyState, STATE_SCHEMA, type StateDocument } from './state-document.js';

/** Why a parsed state file cannot be used, or undefined when it can. */
function stateProblem(d: unknown): string | undefined {
  if (typeof d !== 'object' || d === null) return 'not a JSON object';
  const s = d as Partial<StateDocument>;
  if (typeof s.schema !== 'number') return 'no schema version';
  if (s.schema > STATE_SCHEMA) return `schema version ${s.schema} is newer than this program's (${STATE_SCHEMA})`;
  if (!Array.isArray(s.incidents) || !Array.isArray(s.maintenance) || !Array.isArray(s.silences) || !s.alertState) return 'missing sections';
  return undefined;
}

export class StateFile {
  private constructor(private readonly low: Low<StateDocument>, private readonly path: string) {}

  /** Loads the state in `dir` (empty when there is none); an unusable file is moved aside and the state starts empty. */
  static async open(dir: string, quarantine: FileQuarantine): Promise<StateFile> {
    const path = join(dir, 'state.json');
    const low = new Low<StateDocument>(compactJsonFile<StateDocument>(path), emptyState());
    let problem: string | undefined;
    try {
      await low.read();
    } catch (err) {
      problem = `not valid JSON (${(err as Error).message.split('\n')[0]})`;
    }
    problem ??= stateProblem(low.data);
    if (problem) {
      quarantine.moveAside(path, problem);
      low.data = emptyState();
    }
    // The snapshot is recomputed at the first tick; a stale one on disk would mislead.
    low.data.snapshot = null;
    return new StateFile(low, path);
  }

  /** The loaded document; the store changes it in place and then calls write(). */
  get data(): StateDocument {
    return this.low.data;
  }

  /** Writes the document without its snapshot. */
  async write(): Promise<void> {
    const doc = this.low.data;
    const snapshot = doc.snapshot;
    doc.snapshot = null;
    // lowdb serializes before its first await, so the snapshot can be put back at once.
    const pending = this.low.write();
    doc.snapshot = snapshot;
    try {
      await pending;
    } catch (err) {
      removeTempOf(this.path);
      throw new StoreError(`store: could not write ${this.path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); the change is kept in memory`);
    }
  }
}
