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
 * compressed to "::", and IPv4-mapped addresses as ::ffff:a.b.c.d, as Node prints them.
 */
export function ipv6Text(b: Uint8Array, off: number): string {
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
  if (bestStart === 0 && bestLen === 5 && b[off + 10] === 0xff && b[off + 11] === 0xff) {
    return '::ffff:' + ipv4Text(b, off + 12);
  }
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
