// Loads what the labeler needs from disk, once: the catalogue (shipped plus configured), the
// published IP ranges (refreshed copies before the package's snapshots) and the ASN database.
import { join } from 'node:path';
import type { AsnDatabase } from './asn-database.js';
import { CsvAsnDatabase } from './asn-csv.js';
import { MmdbAsnDatabase } from './asn-mmdb.js';
import type { Catalogue } from './catalogue.js';
import { loadCatalogue } from './catalogue-file.js';
import { loadRanges, type LoadedRanges } from './ip-range-store.js';
import type { LabelsSettings } from '../labels-settings.js';
import { packageDataDir } from './package-data.js';

/** Where `egresswatch data refresh` keeps downloaded range files unless told otherwise. */
export const DEFAULT_DATA_DIR = process.env.EGRESSWATCH_DATA_DIR ?? '/var/lib/egresswatch/ip-ranges';

export interface LabelDataOptions {
  settings: LabelsSettings;
  /** Overrides settings.dataDir (the CLI's --data). */
  dataDir?: string;
  /** Range files on top of settings.ipRangeFiles (the CLI's --ip-ranges). */
  ipRangeFiles?: readonly string[];
  /** Overrides settings.asnDatabase: a MaxMind-format file, or "none". */
  asnDatabase?: string;
  /**
   * Read the default ASN dataset on its first lookup instead of now. Short commands want this;
   * the monitor does not (a second-long read inside the capture handler would stall it).
   */
  lazyAsn?: boolean;
}

export interface LabelData {
  catalogue: Catalogue;
  ranges: LoadedRanges;
  asn?: AsnDatabase;
  /** One line per piece of data that could not be used (the rest still works). */
  problems: string[];
}

export function resolveDataDir(settings: LabelsSettings, override?: string): string {
  return override ?? settings.dataDir ?? DEFAULT_DATA_DIR;
}

/** Throws only for a configured file that cannot be used at all (catalogue, ASN database). */
export function loadLabelData(options: LabelDataOptions): LabelData {
  const { settings } = options;
  const catalogue = loadCatalogue(settings.catalogue, join(packageDataDir, 'catalogue.json'));
  const dataDir = resolveDataDir(settings, options.dataDir);
  const ranges = loadRanges([dataDir, packageDataDir], [...settings.ipRangeFiles, ...(options.ipRangeFiles ?? [])]);
  const problems = [...ranges.problems];
  const asnSetting = options.asnDatabase ?? settings.asnDatabase;
  let asn: AsnDatabase | undefined;
  if (asnSetting === 'none') asn = undefined;
  else if (asnSetting) asn = new MmdbAsnDatabase(asnSetting, asnSetting);
  else {
    asn = options.lazyAsn ? CsvAsnDatabase.lazyFromPackage() : CsvAsnDatabase.fromPackage();
    if (!asn) problems.push('ASN lookups off: the @ip-location-db/asn package is not installed and no labels.asn.database is set');
  }
  return { catalogue, ranges, ...(asn ? { asn } : {}), problems };
}
