// Reads range-form IP-to-ASN CSV files ("start,end,asn,organisation", as published by the
// ip-location-db project and installed from npm as @ip-location-db/asn) into sorted typed arrays
// searched by bisection.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { EgressError } from '../../errors.js';
import type { AsnDatabase, AsnRecord } from './asn-database.js';
import { parseIPv4, parseIPv6 } from '../ip/ip-address.js';

/** Package name of the default dataset (CC BY 4.0: RouteViews and DB-IP; attribution in data/README.md). */
export const DEFAULT_ASN_PACKAGE = '@ip-location-db/asn';

function packageFiles(): { v4: string; v6: string } | undefined {
  try {
    const dir = dirname(createRequire(import.meta.url).resolve(`${DEFAULT_ASN_PACKAGE}/package.json`));
    return { v4: join(dir, 'asn-ipv4.csv'), v6: join(dir, 'asn-ipv6.csv') };
  } catch {
    return undefined;
  }
}

/** Splits one CSV line of four fields, the last possibly quoted (organisation names contain commas). */
function splitLine(line: string): [string, string, string, string] | undefined {
  const a = line.indexOf(',');
  const b = line.indexOf(',', a + 1);
  const c = line.indexOf(',', b + 1);
  if (a < 0 || b < 0 || c < 0) return undefined;
  let org = line.slice(c + 1).trim();
  if (org.startsWith('"') && org.endsWith('"') && org.length >= 2) org = org.slice(1, -1).replace(/""/g, '"');
  return [line.slice(0, a), line.slice(a + 1, b), line.slice(b + 1, c), org];
}

class OrgPool {
  readonly names: string[] = [];
  private readonly index = new Map<string, number>();
  id(name: string): number {
    let i = this.index.get(name);
    if (i === undefined) {
      i = this.names.length;
      this.names.push(name);
      this.index.set(name, i);
    }
    return i;
  }
}

export class CsvAsnDatabase implements AsnDatabase {
  private v4Start = new Uint32Array(0);
  private v4End = new Uint32Array(0);
  private v4Asn = new Uint32Array(0);
  private v4Org = new Uint32Array(0);
  /** Four words per range. */
  private v6Start = new Uint32Array(0);
  private v6End = new Uint32Array(0);
  private v6Asn = new Uint32Array(0);
  private v6Org = new Uint32Array(0);
  private readonly orgs = new OrgPool();
  private readonly scratch = new Uint32Array(4);
  /** Lines that were not a valid range, by file. */
  readonly malformed: Record<string, number> = {};

  constructor(readonly description: string, files: { v4?: string; v6?: string }) {
    if (files.v4) this.loadV4(files.v4);
    if (files.v6) this.loadV6(files.v6);
  }

  /** The dataset installed from npm, or undefined when the package is not installed. */
  static fromPackage(): CsvAsnDatabase | undefined {
    const files = packageFiles();
    return files && new CsvAsnDatabase(`${DEFAULT_ASN_PACKAGE} (CC BY 4.0)`, files);
  }

  /**
   * The same, read on the first lookup: reading 500,000 ranges takes about a second, which a
   * capture of private addresses only never needs to pay.
   */
  static lazyFromPackage(): AsnDatabase | undefined {
    const files = packageFiles();
    if (!files) return undefined;
    let db: CsvAsnDatabase | undefined;
    const description = `${DEFAULT_ASN_PACKAGE} (CC BY 4.0)`;
    return { description, lookup: (ip) => (db ??= new CsvAsnDatabase(description, files)).lookup(ip) };
  }

  get ranges(): number {
    return this.v4Start.length + this.v6Start.length / 4;
  }

  private read(file: string): string[] {
    try {
      return readFileSync(file, 'utf8').split('\n');
    } catch (err) {
      throw new EgressError('data', `${file}: cannot read the ASN dataset (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }

  /**
   * IPv4 ranges, scanned in place: no per-line strings except an organisation that differs from
   * the previous line's (consecutive ranges usually share one), which keeps 400,000 lines fast.
   */
  private loadV4(file: string): void {
    const text = this.readText(file);
    let capacity = 1024;
    let start = new Uint32Array(capacity);
    let end = new Uint32Array(capacity);
    let asn = new Uint32Array(capacity);
    let org = new Uint32Array(capacity);
    let n = 0;
    let lastOrgText = '';
    let lastOrgId = -1;
    let pos = 0;
    while (pos < text.length) {
      let eol = text.indexOf('\n', pos);
      if (eol < 0) eol = text.length;
      const c1 = text.indexOf(',', pos);
      const c2 = c1 < 0 || c1 > eol ? -1 : text.indexOf(',', c1 + 1);
      const c3 = c2 < 0 || c2 > eol ? -1 : text.indexOf(',', c2 + 1);
      if (eol === pos) {
        pos = eol + 1;
        continue;
      }
      const s = c3 > 0 && c3 < eol ? parseIPv4(text.slice(pos, c1)) : -1;
      const e = s >= 0 ? parseIPv4(text.slice(c1 + 1, c2)) : -1;
      const a = e >= 0 ? digits(text, c2 + 1, c3) : -1;
      if (s < 0 || e < s || a < 0 || (n > 0 && s <= end[n - 1])) {
        this.malformed[file] = (this.malformed[file] ?? 0) + 1;
        pos = eol + 1;
        continue;
      }
      if (n === capacity) {
        capacity *= 2;
        start = grow(start, capacity);
        end = grow(end, capacity);
        asn = grow(asn, capacity);
        org = grow(org, capacity);
      }
      let orgEnd = eol;
      if (text.charCodeAt(orgEnd - 1) === 13) orgEnd--;
      const orgLen = orgEnd - c3 - 1;
      if (lastOrgId < 0 || orgLen !== lastOrgText.length || !text.startsWith(lastOrgText, c3 + 1)) {
        lastOrgText = text.slice(c3 + 1, orgEnd);
        let name = lastOrgText;
        if (name.length >= 2 && name.startsWith('"') && name.endsWith('"')) name = name.slice(1, -1).replace(/""/g, '"');
        lastOrgId = this.orgs.id(name);
      }
      start[n] = s;
      end[n] = e;
      asn[n] = a;
      org[n] = lastOrgId;
      n++;
      pos = eol + 1;
    }
    this.v4Start = start.slice(0, n);
    this.v4End = end.slice(0, n);
    this.v4Asn = asn.slice(0, n);
    this.v4Org = org.slice(0, n);
  }

  private readText(file: string): string {
    try {
      return readFileSync(file, 'utf8');
    } catch (err) {
      throw new EgressError('data', `${file}: cannot read the ASN dataset (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }

  private loadV6(file: string): void {
    const lines = this.read(file);
    const start = new Uint32Array(lines.length * 4);
    const end = new Uint32Array(lines.length * 4);
    const asn = new Uint32Array(lines.length);
    const org = new Uint32Array(lines.length);
    const s = new Uint32Array(4);
    const e = new Uint32Array(4);
    let n = 0;
    for (const line of lines) {
      if (!line) continue;
      const f = splitLine(line);
      const a = f ? Number(f[2]) : NaN;
      if (!f || !parseIPv6(f[0], s) || !parseIPv6(f[1], e) || compare(e, 0, s, 0) < 0 || !Number.isInteger(a) || (n > 0 && compare(s, 0, end, (n - 1) * 4) <= 0)) {
        this.malformed[file] = (this.malformed[file] ?? 0) + 1;
        continue;
      }
      start.set(s, n * 4);
      end.set(e, n * 4);
      asn[n] = a;
      org[n] = this.orgs.id(f[3]);
      n++;
    }
    this.v6Start = start.slice(0, n * 4);
    this.v6End = end.slice(0, n * 4);
    this.v6Asn = asn.slice(0, n);
    this.v6Org = org.slice(0, n);
  }

  lookup(ip: string): AsnRecord | undefined {
    const v4 = parseIPv4(ip);
    if (v4 >= 0) return this.lookupV4(v4);
    if (!parseIPv6(ip, this.scratch)) return undefined;
    const w = this.scratch;
    if (w[0] === 0 && w[1] === 0 && w[2] === 0xffff) return this.lookupV4(w[3]);
    let lo = 0;
    let hi = this.v6Asn.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (compare(w, 0, this.v6Start, mid * 4) < 0) hi = mid - 1;
      else if (compare(w, 0, this.v6End, mid * 4) > 0) lo = mid + 1;
      else return this.record(this.v6Asn[mid], this.v6Org[mid]);
    }
    return undefined;
  }

  private lookupV4(addr: number): AsnRecord | undefined {
    const start = this.v4Start;
    let lo = 0;
    let hi = start.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (addr < start[mid]) hi = mid - 1;
      else if (addr > this.v4End[mid]) lo = mid + 1;
      else return this.record(this.v4Asn[mid], this.v4Org[mid]);
    }
    return undefined;
  }

  private record(asn: number, org: number): AsnRecord {
    return { asn, org: this.orgs.names[org] };
  }
}

/** A non-negative decimal integer in text[from, to), or -1. */
function digits(text: string, from: number, to: number): number {
  if (to <= from || to - from > 10) return -1;
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    n = n * 10 + (c - 48);
  }
  return n;
}

function grow(a: Uint32Array, size: number): Uint32Array<ArrayBuffer> {
  const b = new Uint32Array(size);
  b.set(a);
  return b;
}

/** Compares 128-bit a (4 words from index 0) with b's 4 words at offset. */
function compare(a: Uint32Array, ao: number, b: Uint32Array, bo: number): number {
  for (let i = 0; i < 4; i++) {
    const x = a[ao + i];
    const y = b[bo + i];
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
