// Address text from packet bytes matches Node's own rendering (RFC 5952 for IPv6), cached or not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SocketAddress } from 'node:net';
import { ipv4Text, ipv6Text } from '../src/ip-text.js';

test('IPv6 text equals Node\'s, for edge cases and random addresses, on first and cached use', () => {
  const cases = ['::', '::1', '2001:db8::1', '2001:db8:0:0:1::53', 'fe80::1:2:3:4', '1:0:0:1:0:0:0:1', '1:0:0:0:1:0:0:1', '::ffff:102:304', '0:0:1::', '1::', '1:0:1:0:1:0:1:0', '::2', '0:0:0:0:0:0:c2f8:dc58', '::ffff:0:1'];
  let seed = 5;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 8) & 0xffff;
  for (let i = 0; i < 5000; i++) cases.push(Array.from({ length: 8 }, () => (rnd() % 3 === 0 ? 0 : rnd()).toString(16)).join(':'));
  for (const c of cases) {
    const ref = new SocketAddress({ address: c, family: 'ipv6' }).address;
    const bytes = Buffer.alloc(20);
    // Parse through Node's canonical text into bytes at an offset, to test offsets too.
    const full = expand(ref);
    full.forEach((g, j) => bytes.writeUInt16BE(g, 4 + 2 * j));
    assert.equal(ipv6Text(bytes, 4), ref, c);
    assert.equal(ipv6Text(bytes, 4), ref, `${c} (cached)`);
  }
});

test('IPv4 text, cached or not', () => {
  const b = Buffer.from([9, 10, 0, 255, 1, 2]);
  for (let r = 0; r < 2; r++) {
    assert.equal(ipv4Text(b, 1), '10.0.255.1');
    assert.equal(ipv4Text(b, 2), '0.255.1.2');
  }
});

function expand(addr: string): number[] {
  const v4 = /^(.*:)(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(addr);
  if (v4) {
    const head = expand(`${v4[1]}0:0`);
    return [...head.slice(0, 6), (+v4[2] << 8) | +v4[3], (+v4[4] << 8) | +v4[5]];
  }
  const [head, tail] = addr.includes('::') ? addr.split('::') : [addr, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.map((g) => parseInt(g, 16));
}
