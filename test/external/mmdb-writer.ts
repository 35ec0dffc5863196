// A minimal MaxMind DB (MMDB v2) writer for tests and benchmarks: IPv6 tree (IPv4 under
// ::/96), 32-bit records, GeoLite2-ASN-shaped records. It lets the `maxmind` reader be tested
// and measured on data made here rather than a downloaded database.
import type { Cidr } from '../../src/external/ip/ip-address.js';

export interface AsnPrefix {
  cidr: Cidr;
  asn: number;
  org: string;
}

const EMPTY = -1;

function sizeBytes(type: number, size: number): Buffer {
  const ctrl: number[] = [];
  let extra: number[] = [];
  let sizeBits: number;
  if (size < 29) sizeBits = size;
  else if (size < 285) {
    sizeBits = 29;
    extra = [size - 29];
  } else if (size < 65821) {
    sizeBits = 30;
    const v = size - 285;
    extra = [v >> 8, v & 255];
  } else {
    sizeBits = 31;
    const v = size - 65821;
    extra = [(v >> 16) & 255, (v >> 8) & 255, v & 255];
  }
  if (type <= 7) ctrl.push((type << 5) | sizeBits);
  else ctrl.push(sizeBits, type - 7);
  return Buffer.from([...ctrl, ...extra]);
}

type Value = string | { uint: number; bits: 16 | 32 | 64 } | Value[] | { [k: string]: Value };

function encode(v: Value): Buffer {
  if (typeof v === 'string') {
    const b = Buffer.from(v, 'utf8');
    return Buffer.concat([sizeBytes(2, b.length), b]);
  }
  if (Array.isArray(v)) return Buffer.concat([sizeBytes(11, v.length), ...v.map(encode)]);
  if ('uint' in v && typeof v.uint === 'number' && 'bits' in v) {
    const bytes: number[] = [];
    let n = BigInt(v.uint);
    while (n > 0n) {
      bytes.unshift(Number(n & 255n));
      n >>= 8n;
    }
    const type = v.bits === 16 ? 5 : v.bits === 32 ? 6 : 9;
    return Buffer.concat([sizeBytes(type, bytes.length), Buffer.from(bytes)]);
  }
  const entries = Object.entries(v as Record<string, Value>);
  return Buffer.concat([sizeBytes(7, entries.length), ...entries.flatMap(([k, val]) => [encode(k), encode(val)])]);
}

/** Builds an ASN database; later prefixes inside earlier ones override them. */
export function buildAsnMmdb(prefixes: readonly AsnPrefix[]): Buffer {
  const left: number[] = [EMPTY];
  const right: number[] = [EMPTY];
  const dataParts: Buffer[] = [];
  const offsets = new Map<string, number>();
  let dataLen = 0;
  const dataRef = (asn: number, org: string) => {
    const key = `${asn}\0${org}`;
    let off = offsets.get(key);
    if (off === undefined) {
      const b = encode({ autonomous_system_number: { uint: asn, bits: 32 }, autonomous_system_organization: org });
      off = dataLen;
      dataParts.push(b);
      dataLen += b.length;
      offsets.set(key, off);
    }
    return -(off + 2);
  };
  for (const p of prefixes) {
    const bits: number[] = [];
    if (!p.cidr.v6) for (let i = 0; i < 96; i++) bits.push(0);
    const words = p.cidr.words;
    for (let i = 0; i < p.cidr.prefix; i++) bits.push((words[i >>> 5] >>> (31 - (i & 31))) & 1);
    const ref = dataRef(p.asn, p.org);
    let node = 0;
    for (let i = 0; i < bits.length; i++) {
      const side = bits[i] ? right : left;
      if (i === bits.length - 1) {
        side[node] = ref;
        break;
      }
      let next = side[node];
      if (next < 0) {
        // Empty, or data of a shorter prefix: split it into a node whose children inherit it.
        const inherited = next;
        next = left.length;
        left.push(inherited);
        right.push(inherited);
        side[node] = next;
      }
      node = next;
    }
  }
  const nodeCount = left.length;
  const tree = Buffer.alloc(nodeCount * 8);
  const value = (r: number) => (r >= 0 ? r : r === EMPTY ? nodeCount : nodeCount + 16 + (-r - 2));
  for (let n = 0; n < nodeCount; n++) {
    tree.writeUInt32BE(value(left[n]), n * 8);
    tree.writeUInt32BE(value(right[n]), n * 8 + 4);
  }
  const metadata = encode({
    binary_format_major_version: { uint: 2, bits: 16 },
    binary_format_minor_version: { uint: 0, bits: 16 },
    build_epoch: { uint: 1767225600, bits: 64 },
    database_type: 'GeoLite2-ASN',
    description: { en: 'egresswatch test ASN database' },
    ip_version: { uint: 6, bits: 16 },
    languages: [],
    node_count: { uint: nodeCount, bits: 32 },
    record_size: { uint: 32, bits: 16 },
  });
  return Buffer.concat([tree, Buffer.alloc(16), ...dataParts, Buffer.from([0xab, 0xcd, 0xef]), Buffer.from('MaxMind.com'), metadata]);
}
