// Loads the provider catalogue shipped in data/catalogue.json, plus entries from configuration.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EgressError } from '../../errors.js';
import { Catalogue, readCatalogueEntries, type CatalogueEntry } from './catalogue.js';
import { packageDataDir } from './package-data.js';

export const CATALOGUE_FILE = 'catalogue.json';

/** Reads and validates a catalogue file ({"version":1,"entries":[…]}); throws a one-line data error. */
export function readCatalogueFile(path = join(packageDataDir, CATALOGUE_FILE)): CatalogueEntry[] {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new EgressError('data', `${path}: cannot read the provider catalogue (${(err as NodeJS.ErrnoException).code ?? (err as Error).message.split('\n')[0]})`);
  }
  const entries = typeof doc === 'object' && doc !== null ? (doc as { entries?: unknown }).entries : undefined;
  const read = readCatalogueEntries(entries, `${path}: entries`);
  if (!read.ok) throw new EgressError('data', read.problem);
  return read.entries;
}

/** The catalogue used for labelling: configured entries first (they win), then the shipped ones. */
export function loadCatalogue(extra: readonly CatalogueEntry[] = [], path?: string): Catalogue {
  return new Catalogue([...extra, ...readCatalogueFile(path)]);
}
