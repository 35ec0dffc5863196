// Reads a MaxMind-format ASN database (GeoLite2-ASN or compatible) with the `maxmind` package.
import { readFileSync } from 'node:fs';
import { Reader, type AsnResponse } from 'maxmind';
import { EgressError } from '../../errors.js';
import type { AsnDatabase, AsnRecord } from './asn-database.js';

export class MmdbAsnDatabase implements AsnDatabase {
  private readonly reader: Reader<AsnResponse>;

  /** Opens the file synchronously (the labeler is built before capture starts); throws a one-line data error. */
  constructor(readonly description: string, path: string) {
    let buf: Buffer;
    try {
      buf = readFileSync(path);
    } catch (err) {
      throw new EgressError('data', `${path}: cannot read the ASN database (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    try {
      this.reader = new Reader<AsnResponse>(buf);
    } catch (err) {
      throw new EgressError('data', `${path}: not a MaxMind-format database (${(err as Error).message.split('\n')[0]})`);
    }
  }

  lookup(ip: string): AsnRecord | undefined {
    let r: AsnResponse | null;
    try {
      r = this.reader.get(ip);
    } catch {
      return undefined; // not an address: nothing to say
    }
    if (!r || typeof r.autonomous_system_number !== 'number') return undefined;
    return { asn: r.autonomous_system_number, org: r.autonomous_system_organization ?? '' };
  }
}
