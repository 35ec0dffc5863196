// Recognises the copies of one DNS packet that a capture on several interfaces sees as the packet
// crosses them (a container's veth, the bridge, the uplink after NAT): the same DNS message on a
// different interface within a few milliseconds. Real retries come later, or on one interface.
import type { DnsPacket } from '../events.js';

interface Seen {
  ifindex: number;
  ts: number;
  ev: DnsPacket;
}

/** FNV-1a over the message with its length: the DNS id makes distinct messages differ. */
function messageKey(p: Uint8Array, response: boolean): number {
  let h = 0x811c9dc5 ^ p.length ^ (response ? 0x5bd1e995 : 0);
  for (let i = 0; i < p.length; i++) h = Math.imul(h ^ p[i], 0x01000193);
  return h >>> 0;
}

export class InterfaceCopyFilter {
  // Two generations of windowMs each: lookups cover at least one window, memory stays bounded.
  private current = new Map<number, Seen>();
  private previous = new Map<number, Seen>();
  private rotatedAt = -Infinity;

  constructor(private readonly windowMs = 50) {}

  /**
   * True when ev is another interface's copy of a packet already seen. The kept event takes the
   * copy's process when it had none (a response is attributed on the inner interface).
   */
  isCopy(ev: DnsPacket): boolean {
    if (ev.ifindex === undefined) return false;
    if (ev.ts - this.rotatedAt > this.windowMs) {
      this.previous = this.current;
      this.current = new Map();
      this.rotatedAt = ev.ts;
    }
    const key = messageKey(ev.payload, ev.dir === 'response');
    const seen = this.current.get(key) ?? this.previous.get(key);
    if (seen && seen.ifindex !== ev.ifindex && Math.abs(ev.ts - seen.ts) <= this.windowMs) {
      if (seen.ev.pid === undefined && ev.pid !== undefined) {
        seen.ev.pid = ev.pid;
        seen.ev.comm = ev.comm;
        seen.ev.cgroupId = ev.cgroupId;
      }
      return true;
    }
    this.current.set(key, { ifindex: ev.ifindex, ts: ev.ts, ev });
    return false;
  }
}
