// Renders IPv4 and IPv6 addresses straight from packet bytes as text (IPv6 in RFC 5952 form).

// DNS traffic involves few distinct addresses: a small direct-mapped cache of rendered IPv4
// text saves building the same strings for every packet.
const CACHE_SIZE = 1024;
const cacheKeys = new Float64Array(CACHE_SIZE).fill(-1);
const cacheText: string[] = new Array<string>(CACHE_SIZE).fill('');

/** Dotted quad of the 4 bytes at off. */
export function ipv4Text(b: Uint8Array, off: number): string {
  const v = ((b[off] << 24) | (b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3]) >>> 0;
  const slot = (v ^ (v >>> 10) ^ (v >>> 20)) & (CACHE_SIZE - 1);
  if (cacheKeys[slot] === v) return cacheText[slot];
  const text = b[off] + '.' + b[off + 1] + '.' + b[off + 2] + '.' + b[off + 3];
  cacheKeys[slot] = v;
  cacheText[slot] = text;
  return text;
}

/**
 * RFC 5952 text of the 16 bytes at off: lower-case hex, the longest run (≥ 2) of zero groups
 * compressed to "::", embedded IPv4 in dotted form: the same text Node gives for the address.
 */
export function ipv6Text(b: Uint8Array, off: number): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < 16; i++) h = Math.imul(h ^ b[off + i], 0x01000193);
  const slot = (h >>> 0) & (V6_CACHE_SIZE - 1);
  const k = slot * 16;
  if (v6Filled[slot] === 1) {
    let i = 0;
    while (i < 16 && v6Keys[k + i] === b[off + i]) i++;
    if (i === 16) return v6Text[slot];
  }
  const text = renderIpv6(b, off);
  v6Keys.set(b.subarray(off, off + 16), k);
  v6Filled[slot] = 1;
  v6Text[slot] = text;
  return text;
}

const V6_CACHE_SIZE = 256;
const v6Keys = new Uint8Array(V6_CACHE_SIZE * 16);
const v6Filled = new Uint8Array(V6_CACHE_SIZE);
const v6Text: string[] = new Array<string>(V6_CACHE_SIZE).fill('');

function renderIpv6(b: Uint8Array, off: number): string {
  let bestStart = -1;
  let bestLen = 0;
  let runStart = -1;
  for (let i = 0; i < 8; i++) {
    if (b[off + 2 * i] === 0 && b[off + 2 * i + 1] === 0) {
      if (runStart < 0) runStart = i;
      const len = i - runStart + 1;
      if (len > bestLen) {
        bestLen = len;
        bestStart = runStart;
      }
    } else {
      runStart = -1;
    }
  }
  if (bestLen < 2) bestStart = -1;
  // Embedded IPv4 as Node (inet_ntop) writes it: IPv4-mapped ::ffff:a.b.c.d, and the old
  // IPv4-compatible ::a.b.c.d when exactly the first six groups are zero.
  if (bestStart === 0 && bestLen === 5 && b[off + 10] === 0xff && b[off + 11] === 0xff) {
    return '::ffff:' + ipv4Text(b, off + 12);
  }
  if (bestStart === 0 && bestLen === 6) return '::' + ipv4Text(b, off + 12);
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      s += '::';
      i += bestLen - 1;
      continue;
    }
    if (s.length > 0 && s.charCodeAt(s.length - 1) !== 58 /* : */) s += ':';
    s += ((b[off + 2 * i] << 8) | b[off + 2 * i + 1]).toString(16);
  }
  return s;
}
