// The TypeScript mirror of native/bpf/events.h matches the compiled header: every record's size
// and every field's offset, as the addon reports them with sizeof/offsetof.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCaptureAddon } from '../../src/bpf/addon-loader.js';
import { Drop, Header, LOST_SLOTS, Owner, Packet, PKT_MAX, PKT_MEDIUM, PKT_SMALL, Tcp } from '../../src/bpf/record-layout.js';

const mirrors = { header: Header, owner: Owner, packet: Packet, tcp: Tcp, drop: Drop } as const;

test('record sizes and field offsets match events.h as compiled', () => {
  const layout = loadCaptureAddon().layout();
  for (const [name, mirror] of Object.entries(mirrors) as [keyof typeof mirrors, Record<string, number>][]) {
    const c = layout[name];
    assert.deepEqual(Object.keys(mirror).sort(), Object.keys(c).sort(), `${name}: the same fields`);
    for (const [field, value] of Object.entries(c)) assert.equal(mirror[field], value, `${name}.${field}`);
  }
  assert.equal(layout.constants.packetSmall, PKT_SMALL);
  assert.equal(layout.constants.packetMedium, PKT_MEDIUM);
  assert.equal(layout.constants.packetMax, PKT_MAX);
  assert.equal(layout.constants.lostSlots, LOST_SLOTS);
});

test('drop reason names come from the kernel, with NOT_SPECIFIED and NO_SOCKET among them', () => {
  const names = new Map(loadCaptureAddon().dropReasons().map(([v, n]) => [n, v]));
  assert.equal(names.get('SKB_DROP_REASON_NOT_SPECIFIED'), 2);
  assert.ok(names.has('SKB_DROP_REASON_NO_SOCKET'));
  assert.ok(names.has('SKB_DROP_REASON_NETFILTER_DROP'));
});
