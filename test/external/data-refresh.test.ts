// `egresswatch data refresh`: downloads from a local HTTP server (never the internet) with
// validation, keeps the last good copy when a download is broken or fails, and imports offline
// with --from. The labeler then uses the refreshed files.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadRanges } from '../../src/external/feeds/ip-range-store.js';
import { testOutputDir } from '../helpers/paths.js';
import { runCli } from '../helpers/run-cli.js';

const awsDoc = (prefix: string) => JSON.stringify({
  syncToken: '1', createDate: '2026-01-01-00-00-00',
  prefixes: [{ ip_prefix: prefix, region: 'eu-west-1', service: 'S3', network_border_group: 'eu-west-1' }, { ip_prefix: prefix, region: 'eu-west-1', service: 'AMAZON', network_border_group: 'eu-west-1' }],
  ipv6_prefixes: [{ ipv6_prefix: '2a05:d018::/36', region: 'eu-west-1', service: 'EC2', network_border_group: 'eu-west-1' }],
});
const gcpDoc = JSON.stringify({ syncToken: '1', creationTime: '2026-01-01T00:00:00', prefixes: [{ ipv4Prefix: '34.0.0.0/15', service: 'Google Cloud', scope: 'europe-west1' }, { ipv6Prefix: '2600:1900::/35', service: 'Google Cloud', scope: 'us-central1' }] });
const cloudflareDoc = JSON.stringify({ result: { ipv4_cidrs: ['104.16.0.0/13'], ipv6_cidrs: ['2606:4700::/32'] }, success: true });
const fastlyDoc = JSON.stringify({ addresses: ['151.101.0.0/16'], ipv6_addresses: ['2a04:4e42::/32'] });

let server: Server;
let base: string;
const bodies: Record<string, { status: number; body: string }> = {};

before(async () => {
  server = createServer((req, res) => {
    const r = bodies[req.url ?? ''] ?? { status: 404, body: 'not found' };
    res.writeHead(r.status, { 'content-type': 'application/json' });
    res.end(r.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const run = (args: string[]) => runCli(args);

const urls = () => ['aws', 'gcp', 'cloudflare', 'fastly'].flatMap((id) => ['--url', `${id}=${base}/${id}`]);

test('refresh downloads every feed, validates it and the labeler uses it', async () => {
  const dir = join(testOutputDir('external'), 'refresh-ok');
  rmSync(dir, { recursive: true, force: true });
  Object.assign(bodies, { '/aws': { status: 200, body: awsDoc('3.5.140.0/22') }, '/gcp': { status: 200, body: gcpDoc }, '/cloudflare': { status: 200, body: cloudflareDoc }, '/fastly': { status: 200, body: fastlyDoc } });
  const r = await run(['data', 'refresh', '--data', dir, ...urls(), '--json']);
  assert.equal(r.code, 0, r.err);
  const lines = r.out.trim().split('\n').map((l) => JSON.parse(l) as { id: string; outcome: string; prefixes: number });
  assert.deepEqual(lines.map((l) => [l.id, l.outcome, l.prefixes]), [['aws', 'updated', 3], ['gcp', 'updated', 2], ['cloudflare', 'updated', 2], ['fastly', 'updated', 2]]);
  const loaded = loadRanges([dir]);
  assert.deepEqual(loaded.trie.lookup('3.5.141.1'), { provider: 'aws', service: 's3', region: 'eu-west-1' });
  assert.deepEqual(loaded.trie.lookup('34.1.2.3'), { provider: 'gcp', service: 'cloud', region: 'europe-west1' });
  assert.equal(loaded.trie.lookup('2a04:4e42::1')?.provider, 'fastly');
  const label = await run(['label', '--json', '--data', dir, '--asn-db', 'none', '3.5.141.1', '2606:4700::1111']);
  assert.equal(label.code, 0, label.err);
  const [s3, cf] = label.out.trim().split('\n').map((l) => JSON.parse(l) as { provider: string; service: string; source: string });
  assert.deepEqual([s3.provider, s3.service, s3.source], ['aws', 's3', 'ip-ranges']);
  assert.deepEqual([cf.provider, cf.source], ['cloudflare', 'ip-ranges']);
});

test('a broken or failed download keeps the last good copy and exits 3', async () => {
  const dir = join(testOutputDir('external'), 'refresh-keep');
  rmSync(dir, { recursive: true, force: true });
  bodies['/aws'] = { status: 200, body: awsDoc('3.5.140.0/22') };
  assert.equal((await run(['data', 'refresh', '--data', dir, '--feed', 'aws', ...urls()])).code, 0);
  const good = readFileSync(join(dir, 'aws-ip-ranges.json'), 'utf8');
  bodies['/aws'] = { status: 200, body: '{"prefixes": "truncated' };
  let r = await run(['data', 'refresh', '--data', dir, '--feed', 'aws', ...urls()]);
  assert.equal(r.code, 3);
  assert.match(r.out, /^aws: kept: invalid: aws ip-ranges\.json: not JSON/);
  assert.equal(readFileSync(join(dir, 'aws-ip-ranges.json'), 'utf8'), good);
  bodies['/aws'] = { status: 200, body: JSON.stringify({ prefixes: [{ ip_prefix: 'nonsense' }], ipv6_prefixes: [] }) };
  r = await run(['data', 'refresh', '--data', dir, '--feed', 'aws', ...urls()]);
  assert.match(r.out, /aws: kept: invalid: aws ip-ranges\.json: no valid prefixes/);
  bodies['/aws'] = { status: 503, body: 'busy' };
  r = await run(['data', 'refresh', '--data', dir, '--feed', 'aws', ...urls()]);
  assert.equal(r.code, 3);
  assert.match(r.out, /aws: kept: download failed: HTTP 503/);
  assert.equal(readFileSync(join(dir, 'aws-ip-ranges.json'), 'utf8'), good);
});

test('--from imports official file names offline, Azure service tags included', async () => {
  const from = join(testOutputDir('external'), 'refresh-from-src');
  const dir = join(testOutputDir('external'), 'refresh-from');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(from, { recursive: true });
  writeFileSync(join(from, 'ip-ranges.json'), awsDoc('52.94.0.0/22'));
  writeFileSync(join(from, 'cloud.json'), gcpDoc);
  writeFileSync(join(from, 'ServiceTags_Public_20260105.json'), JSON.stringify({
    changeNumber: 7, cloud: 'Public',
    values: [{ name: 'Storage.WestEurope', id: 'Storage.WestEurope', properties: { region: 'westeurope', systemService: 'AzureStorage', addressPrefixes: ['20.38.108.0/23', '2603:1020:206::/48'] } }],
  }));
  writeFileSync(join(from, 'notes.txt'), 'ignored');
  const r = await run(['data', 'refresh', '--data', dir, '--from', from]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /aws: updated \(3 prefixes\)/);
  assert.match(r.out, /azure: updated \(2 prefixes\)/);
  const loaded = loadRanges([dir]);
  assert.deepEqual(loaded.trie.lookup('20.38.109.1'), { provider: 'azure', service: 'azurestorage', region: 'westeurope' });
  const empty = join(testOutputDir('external'), 'refresh-from-empty');
  mkdirSync(empty, { recursive: true });
  const none = await run(['data', 'refresh', '--data', dir, '--from', empty]);
  assert.equal(none.code, 2);
  assert.match(none.err, /no range files found/);
});

test('an unusable data directory is reported in one line', async () => {
  const file = join(testOutputDir('external'), 'refresh-not-a-dir');
  writeFileSync(file, 'x');
  const r = await run(['data', 'refresh', '--data', join(file, 'sub'), ...urls()]);
  assert.equal(r.code, 1);
  assert.match(r.err, /^egresswatch data refresh: cannot create the data directory ".*refresh-not-a-dir\/sub" \(ENOTDIR\)/);
  assert.equal(r.err.trim().split('\n').length, 1);
});

test('usage errors are one line', async () => {
  const r = await run(['data', 'refresh', '--feed', 'oracle']);
  assert.equal(r.code, 2);
  assert.match(r.err, /^egresswatch data refresh: --feed: unknown feed "oracle" \(expected aws, gcp, cloudflare, fastly, azure\)/);
  assert.equal(r.err.trim().split('\n').length, 1);
});
