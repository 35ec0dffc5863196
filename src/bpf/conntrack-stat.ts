// Parses /proc/net/stat/nf_conntrack (a header of column names, then one row of hex counters per
// CPU) into a ConntrackSample summed over CPUs, by column name so kernels that add columns work.
import { readFile } from 'node:fs/promises';
import type { ConntrackSample } from '../events.js';

export const NF_CONNTRACK_STAT = '/proc/net/stat/nf_conntrack';

const COLUMNS: Record<string, Exclude<keyof ConntrackSample, 'type' | 'ts'>> = {
  found: 'found',
  invalid: 'invalid',
  insert: 'insert',
  insert_failed: 'insertFailed',
  drop: 'drop',
  early_drop: 'earlyDrop',
  search_restart: 'searchRestart',
  clashres: 'clashResolve',
  clash_resolve: 'clashResolve',
};

/** The sample, or undefined when the text has no header line. */
export function parseConntrackStat(text: string, ts: number): ConntrackSample | undefined {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  if (lines.length === 0) return undefined;
  const header = lines[0].split(/\s+/);
  if (header.some((h) => !/^[a-z_]+$/.test(h))) return undefined;
  const sample: ConntrackSample = {
    type: 'conntrack', ts, found: 0, invalid: 0, insert: 0, insertFailed: 0, drop: 0, earlyDrop: 0, searchRestart: 0, clashResolve: 0,
  };
  for (const row of lines.slice(1)) {
    const cells = row.split(/\s+/);
    header.forEach((name, i) => {
      const key = COLUMNS[name];
      const v = cells[i] !== undefined ? parseInt(cells[i], 16) : NaN;
      if (key && Number.isFinite(v)) sample[key] += v;
    });
  }
  return sample;
}

/** Reads the host's counters; undefined when conntrack is not loaded. */
export async function readConntrackStat(path = NF_CONNTRACK_STAT): Promise<ConntrackSample | undefined> {
  try {
    return parseConntrackStat(await readFile(path, 'utf8'), Date.now());
  } catch {
    return undefined;
  }
}
