// Address parsing and the longest-prefix-match trie, checked against a straightforward scan.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { canonicalIp, parseAddress, parseCidr, parseIPv4, parseIPv6, specialRange } from '../../src/external/ip/ip-address.js';
import { awsFeed } from '../../src/external/feeds/ip-range-feeds.js';
import { buildRangeTrie } from '../../src/external/sources/ip-range-source.js';
import { PrefixTrie } from '../../src/external/ip/prefix-trie.js';
import { referenceDataDir } from '../helpers/paths.js';

test('IPv4 and IPv6 text parsing accepts what it should and nothing else', () => {
  assert.equal(parseIPv4('203.0.113.7'), 0xcb007107);
  for (const bad of ['1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', '1..2.3', '', 'a.b.c.d', '1.2.3.4 ']) assert.equal(parseIPv4(bad), -1, bad);
  const w = new Uint32Array(4);
  assert.ok(parseIPv6('2001:db8::1', w));
  assert.deepEqual([...w], [0x20010db8, 0, 0, 1]);
  assert.ok(parseIPv6('::ffff:192.0.2.1', w));
  assert.deepEqual([...w], [0, 0, 0xffff, 0xc0000201]);
  assert.ok(parseIPv6('fe80::1%eth0', w));
  assert.ok(parseIPv6('1:2:3:4:5:6:7:8', w));
  for (const bad of ['1:2:3:4:5:6:7:8:9', '1::2::3', ':1:2', '1:2:', '12345::', 'g::', '1:2:3:4:5:6:7']) assert.equal(parseIPv6(bad, w), false, bad);
  assert.deepEqual(parseAddress('::ffff:10.0.0.1'), { v6: false, v4: 0x0a000001 });
  assert.deepEqual(parseCidr('10.1.2.3/8')?.words, [0x0a000000]);
  assert.equal(parseCidr('10.0.0.0/33'), undefined);
  assert.equal(parseCidr('2001:db8::/129'), undefined);
  assert.deepEqual([...parseCidr('2001:db8:ffff:ffff::/36')!.words], [0x20010db8, 0xf0000000, 0, 0]);
});

test('canonical text: RFC 5952 for IPv6, IPv4-mapped as IPv4', () => {
  assert.equal(canonicalIp('2001:DB8:0:0:0:0:0:1'), '2001:db8::1');
  assert.equal(canonicalIp('2001:db8:0:1:0:0:0:1'), '2001:db8:0:1::1', 'the longest zero run');
  assert.equal(canonicalIp('2001:db8:0:1:1:1:1:1'), '2001:db8:0:1:1:1:1:1', 'one zero group stays');
  assert.equal(canonicalIp('::'), '::');
  assert.equal(canonicalIp('::ffff:102:304'), '1.2.3.4');
  assert.equal(canonicalIp('1.2.3.4'), '1.2.3.4');
  assert.equal(canonicalIp('not-an-ip'), 'not-an-ip');
});

test('special-purpose ranges are recognised in both families', () => {
  const kind = (ip: string) => specialRange(parseAddress(ip)!);
  assert.equal(kind('10.204.1.1'), 'private');
  assert.equal(kind('172.31.255.255'), 'private');
  assert.equal(kind('172.32.0.1'), undefined);
  assert.equal(kind('127.0.0.1'), 'loopback');
  assert.equal(kind('::1'), 'loopback');
  assert.equal(kind('169.254.169.254'), 'link-local');
  assert.equal(kind('100.64.0.1'), 'shared');
  assert.equal(kind('fd12::1'), 'unique-local');
  assert.equal(kind('fe80::1'), 'link-local');
  assert.equal(kind('8.8.8.8'), undefined);
  assert.equal(kind('2001:db8::1'), undefined);
});

test('longest prefix wins, in both families, including /0 and host prefixes', () => {
  const trie = new PrefixTrie<string>();
  for (const [c, v] of [['0.0.0.0/0', 'default'], ['10.0.0.0/8', 'ten'], ['10.1.0.0/16', 'ten-one'], ['10.1.2.3/32', 'host'], ['2001:db8::/32', 'doc'], ['2001:db8:1::/48', 'doc-1'], ['::/0', 'v6-default']] as const) {
    trie.insert(parseCidr(c)!, v);
  }
  assert.equal(trie.lookup('10.1.2.3'), 'host');
  assert.equal(trie.lookup('10.1.2.4'), 'ten-one');
  assert.equal(trie.lookup('10.2.0.1'), 'ten');
  assert.equal(trie.lookup('11.0.0.1'), 'default');
  assert.equal(trie.lookup('2001:db8:1:2::5'), 'doc-1');
  assert.equal(trie.lookup('2001:db8:2::5'), 'doc');
  assert.equal(trie.lookup('2001:db9::1'), 'v6-default');
  assert.equal(trie.lookup('::ffff:10.1.2.3'), 'host', 'IPv4-mapped IPv6 looks up IPv4');
  assert.equal(trie.lookup('nonsense'), undefined);
  assert.equal(trie.size, 7);
  trie.insert(parseCidr('10.0.0.0/8')!, 'replaced', (old, incoming) => `${old}+${incoming}`);
  assert.equal(trie.lookup('10.9.9.9'), 'ten+replaced');
  assert.equal(trie.size, 7);
});

test('the trie agrees with a linear scan on random prefixes and addresses', () => {
  let seed = 7;
  const rand = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0);
  const prefixes: { net: number; len: number; id: number }[] = [];
  const trie = new PrefixTrie<number>();
  for (let id = 0; id < 2000; id++) {
    const len = 8 + (rand() % 25);
    const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
    const net = (rand() & mask) >>> 0;
    const cidr = parseCidr(`${net >>> 24}.${(net >>> 16) & 255}.${(net >>> 8) & 255}.${net & 255}/${len}`)!;
    if (prefixes.some((p) => p.net === net && p.len === len)) continue;
    prefixes.push({ net, len, id });
    trie.insert(cidr, id);
  }
  for (let i = 0; i < 20000; i++) {
    // Half the probes fall inside a known prefix.
    const addr = i % 2 ? (prefixes[rand() % prefixes.length].net + (rand() % 256)) >>> 0 : rand();
    let best: { len: number; id: number } | undefined;
    for (const p of prefixes) {
      const mask = (0xffffffff << (32 - p.len)) >>> 0;
      if (((addr & mask) >>> 0) === p.net && (!best || p.len > best.len)) best = p;
    }
    assert.equal(trie.lookupV4(addr), best?.id, `address ${addr}`);
  }
});

const awsFile = join(referenceDataDir, 'aws-ip-ranges.json');
test('the full AWS ranges file: every prefix parses, specific services win over AMAZON', { skip: !existsSync(awsFile) && 'reference AWS ip-ranges.json absent' }, () => {
  const parsed = awsFeed.parse(readFileSync(awsFile, 'utf8'));
  assert.ok(parsed.ok);
  if (!parsed.ok) return;
  assert.equal(parsed.malformed, 0);
  assert.ok(parsed.entries.length > 15_000);
  const trie = buildRangeTrie([parsed.entries]);
  // Each S3 prefix of the file labels its own network address as S3 in its region.
  const doc = JSON.parse(readFileSync(awsFile, 'utf8')) as { prefixes: { ip_prefix: string; service: string; region: string }[] };
  const s3 = doc.prefixes.filter((p) => p.service === 'S3');
  assert.ok(s3.length > 100);
  let labelledS3 = 0;
  for (const p of s3) {
    const info = trie.lookup(p.ip_prefix.split('/')[0]);
    assert.equal(info?.provider, 'aws');
    if (info?.service === 's3') labelledS3++;
  }
  // A few S3 network addresses sit inside a longer prefix of another service; nearly all are S3.
  assert.ok(labelledS3 >= s3.length * 0.95, `${labelledS3} of ${s3.length}`);
  const first = s3[0];
  assert.deepEqual(trie.lookup(first.ip_prefix.split('/')[0]), { provider: 'aws', service: 's3', region: first.region });
});
