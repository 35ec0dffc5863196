// ASN lookups: a MaxMind-format database through the `maxmind` reader (a file written by the
// test), the range CSV format of the npm dataset, and the installed dataset itself.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CsvAsnDatabase } from '../../src/external/feeds/asn-csv.js';
import { MmdbAsnDatabase } from '../../src/external/feeds/asn-mmdb.js';
import { parseCidr } from '../../src/external/ip/ip-address.js';
import { testOutputDir } from '../helpers/paths.js';
import { buildAsnMmdb } from './mmdb-writer.js';

const dir = testOutputDir('external');

test('a MaxMind-format ASN database is read through the maxmind package (IPv4, IPv6, nested prefixes)', () => {
  const file = join(dir, 'asn-test.mmdb');
  writeFileSync(file, buildAsnMmdb([
    { cidr: parseCidr('203.0.113.0/24')!, asn: 64500, org: 'Example Transit' },
    { cidr: parseCidr('203.0.113.128/25')!, asn: 64501, org: 'Example "Cloud", Inc.' },
    { cidr: parseCidr('2001:db8::/32')!, asn: 64502, org: 'Example IPv6' },
  ]));
  const db = new MmdbAsnDatabase('test.mmdb', file);
  assert.deepEqual(db.lookup('203.0.113.5'), { asn: 64500, org: 'Example Transit' });
  assert.deepEqual(db.lookup('203.0.113.200'), { asn: 64501, org: 'Example "Cloud", Inc.' });
  assert.deepEqual(db.lookup('2001:db8:1::1'), { asn: 64502, org: 'Example IPv6' });
  assert.equal(db.lookup('198.51.100.1'), undefined);
  assert.equal(db.lookup('not an address'), undefined);
});

test('a file that is not a MaxMind database is refused in one line', () => {
  const file = join(dir, 'not.mmdb');
  writeFileSync(file, 'hello');
  assert.throws(() => new MmdbAsnDatabase('x', file), (err: Error) => /not a MaxMind-format database/.test(err.message) && !err.message.includes('\n'));
  assert.throws(() => new MmdbAsnDatabase('x', join(dir, 'missing.mmdb')), /cannot read the ASN database \(ENOENT\)/);
});

test('the range CSV format: quoted organisations, IPv6, malformed and unsorted lines counted', () => {
  const v4 = join(dir, 'asn-v4.csv');
  const v6 = join(dir, 'asn-v6.csv');
  writeFileSync(v4, '1.0.0.0,1.0.0.255,13335,"Cloudflare, Inc."\n1.0.4.0,1.0.7.255,38803,Gtelecom Pty Ltd\nbad line\n1.0.5.0,1.0.5.9,1,overlap\n');
  writeFileSync(v6, '2001:db8::,2001:db8::ffff,64502,Example IPv6\n');
  const db = new CsvAsnDatabase('test csv', { v4, v6 });
  assert.deepEqual(db.lookup('1.0.0.1'), { asn: 13335, org: 'Cloudflare, Inc.' });
  assert.deepEqual(db.lookup('1.0.6.1'), { asn: 38803, org: 'Gtelecom Pty Ltd' });
  assert.equal(db.lookup('1.0.3.1'), undefined);
  assert.deepEqual(db.lookup('2001:db8::42'), { asn: 64502, org: 'Example IPv6' });
  assert.deepEqual(db.lookup('::ffff:1.0.0.9'), { asn: 13335, org: 'Cloudflare, Inc.' });
  assert.equal(db.malformed[v4], 2);
});

test('the npm dataset is installed and answers for well-known networks', () => {
  const db = CsvAsnDatabase.fromPackage();
  assert.ok(db, '@ip-location-db/asn is a dependency');
  assert.ok(db.ranges > 100_000);
  assert.equal(db.lookup('1.1.1.1')?.asn, 13335);
  assert.equal(db.lookup('8.8.8.8')?.asn, 15169);
});
