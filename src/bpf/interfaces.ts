// Lists network interfaces from /sys/class/net with what the socket filter must know about
// their frames (link header length, loopback), and resolves --interface names to indexes.
import { readdirSync, readFileSync } from 'node:fs';
import { UsageError } from '../errors.js';
import type { AddonInterface } from './addon-loader.js';

const ARPHRD_ETHER = 1;
const ARPHRD_LOOPBACK = 772;
/** Device types whose packet-socket frames start at the IP header (no link header). */
const NO_LINK_HEADER = new Set([65534 /* NONE: tun, wireguard */, 768 /* IPIP */, 769 /* IP6IP6 */, 776 /* SIT */, 778 /* IPGRE */, 823 /* IP6GRE */]);

export interface NetInterface extends AddonInterface {
  name: string;
}

export function listInterfaces(root = '/sys/class/net'): NetInterface[] {
  const out: NetInterface[] = [];
  for (const name of readdirSync(root)) {
    try {
      const ifindex = Number(readFileSync(`${root}/${name}/ifindex`, 'utf8'));
      const type = Number(readFileSync(`${root}/${name}/type`, 'utf8'));
      if (!Number.isInteger(ifindex)) continue;
      out.push({ name, ifindex, loopback: type === ARPHRD_LOOPBACK, l2Len: NO_LINK_HEADER.has(type) ? 0 : type === ARPHRD_ETHER || type === ARPHRD_LOOPBACK ? 14 : 14 });
    } catch {
      // The interface went away while listing: nothing to capture on it.
    }
  }
  return out;
}

/** The ifindexes of the named interfaces; an unknown name is a usage error. */
export function resolveInterfaces(names: readonly string[], known: readonly NetInterface[]): number[] {
  return names.map((n) => {
    const hit = known.find((i) => i.name === n);
    if (!hit) throw new UsageError(`--interface ${JSON.stringify(n)}: no such interface (have: ${known.map((i) => i.name).join(', ')})`);
    return hit.ifindex;
  });
}
