// Textual IPv4/IPv6 addresses to integer words, without allocation on the IPv4 path, and the
// special-purpose ranges (private, loopback…) that label an address as internal.

/** IPv4 text to an unsigned 32-bit number, or -1 when the text is not a dotted quad. */
export function parseIPv4(text: string): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      if (digits === 3 || (digits > 0 && part === 0)) return -1; // too long, or a leading zero
      part = part * 10 + (c - 48);
      if (part > 255) return -1;
      digits++;
    } else return -1;
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + part;
}

const groups = new Uint16Array(8);

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * IPv6 text to four 32-bit words (big-endian order) written into `out`; returns false when the
 * text is not IPv6. Accepts "::" compression and a trailing dotted quad; a zone ("%eth0") is cut.
 * A character scanner without regular expressions or arrays: range files hold thousands of these.
 */
export function parseIPv6(text: string, out: Uint32Array): boolean {
  let end = text.indexOf('%');
  if (end < 0) end = text.length;
  let n = 0; // groups written
  let gap = -1; // index in groups where "::" was
  let i = 0;
  if (end >= 2 && text.charCodeAt(0) === 58) {
    if (text.charCodeAt(1) !== 58) return false;
    gap = 0;
    i = 2;
    if (i === end) {
      out.fill(0);
      return true;
    }
  }
  while (i < end) {
    if (n === 8) return false;
    let value = 0;
    let digits = 0;
    const start = i;
    while (i < end) {
      const h = hexValue(text.charCodeAt(i));
      if (h < 0) break;
      value = value * 16 + h;
      digits++;
      i++;
    }
    if (i < end && text.charCodeAt(i) === 46) {
      // A trailing dotted quad takes two groups.
      if (n > 6) return false;
      const v4 = parseIPv4(text.slice(start, end));
      if (v4 < 0) return false;
      groups[n++] = v4 >>> 16;
      groups[n++] = v4 & 0xffff;
      i = end;
      break;
    }
    if (digits === 0 || digits > 4) return false;
    groups[n++] = value;
    if (i === end) break;
    if (text.charCodeAt(i) !== 58) return false;
    i++;
    if (i < end && text.charCodeAt(i) === 58) {
      if (gap >= 0) return false;
      gap = n;
      i++;
    } else if (i === end) return false;
  }
  if (gap < 0 ? n !== 8 : n > 7) return false;
  const fill = 8 - n;
  for (let w = 0; w < 4; w++) {
    const hi = groupAt(2 * w, n, gap, fill);
    const lo = groupAt(2 * w + 1, n, gap, fill);
    out[w] = ((hi << 16) | lo) >>> 0;
  }
  return true;
}

/** The k-th of the eight groups after expanding "::" (at `gap`, `fill` zero groups). */
function groupAt(k: number, n: number, gap: number, fill: number): number {
  if (gap < 0) return groups[k];
  if (k < gap) return groups[k];
  if (k < gap + fill) return 0;
  return groups[k - fill];
}

export type ParsedAddress = { v6: false; v4: number } | { v6: true; words: Uint32Array };

/** Parses either family; an IPv4-mapped IPv6 address (::ffff:a.b.c.d) is returned as IPv4. */
export function parseAddress(text: string): ParsedAddress | undefined {
  const v4 = parseIPv4(text);
  if (v4 >= 0) return { v6: false, v4 };
  const words = new Uint32Array(4);
  if (!parseIPv6(text, words)) return undefined;
  if (words[0] === 0 && words[1] === 0 && words[2] === 0xffff) return { v6: false, v4: words[3] };
  return { v6: true, words };
}

export interface Cidr {
  v6: boolean;
  /** One word for IPv4, four for IPv6 (unsigned 32-bit values), with host bits cleared. */
  words: readonly number[];
  prefix: number;
}

const cidrScratch = new Uint32Array(4);

/** Prefix length text ("0".."128") to a number, or -1; no regular expression on this hot path. */
function prefixBits(text: string, from: number): number {
  const len = text.length - from;
  if (len < 1 || len > 3) return -1;
  let n = 0;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    n = n * 10 + (c - 48);
  }
  return n;
}

/** "a.b.c.d/n" or "x::/n" (a bare address is a host prefix); undefined when malformed. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const v4 = parseIPv4(addr);
  if (v4 >= 0) {
    const prefix = slash < 0 ? 32 : prefixBits(text, slash + 1);
    if (prefix < 0 || prefix > 32) return undefined;
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    return { v6: false, words: [(v4 & mask) >>> 0], prefix };
  }
  const w = cidrScratch;
  if (!parseIPv6(addr, w)) return undefined;
  const prefix = slash < 0 ? 128 : prefixBits(text, slash + 1);
  if (prefix < 0 || prefix > 128) return undefined;
  const words = [0, 0, 0, 0];
  for (let i = 0; i < 4; i++) {
    const keep = Math.max(0, Math.min(32, prefix - 32 * i));
    words[i] = keep === 0 ? 0 : (w[i] & ((0xffffffff << (32 - keep)) >>> 0)) >>> 0;
  }
  return { v6: true, words, prefix };
}

export type SpecialRange = 'loopback' | 'private' | 'link-local' | 'shared' | 'unique-local' | 'unspecified' | 'multicast';

/** The special-purpose block an address is in (RFC 1918, 6598, 4193, loopback…), if any. */
export function specialRange(addr: ParsedAddress): SpecialRange | undefined {
  if (!addr.v6) {
    const a = addr.v4 >>> 24;
    const b = (addr.v4 >>> 16) & 0xff;
    if (a === 127) return 'loopback';
    if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'private';
    if (a === 169 && b === 254) return 'link-local';
    if (a === 100 && b >= 64 && b <= 127) return 'shared';
    if (a === 0) return 'unspecified';
    if (a >= 224 && a <= 239) return 'multicast';
    return undefined;
  }
  const w = addr.words;
  if (w[0] === 0 && w[1] === 0 && w[2] === 0) return w[3] === 1 ? 'loopback' : w[3] === 0 ? 'unspecified' : undefined;
  const top = w[0] >>> 16;
  if ((top & 0xfe00) === 0xfc00) return 'unique-local';
  if ((top & 0xffc0) === 0xfe80) return 'link-local';
  if ((top & 0xff00) === 0xff00) return 'multicast';
  return undefined;
}

/**
 * The one textual form of an address, so that names from DNS answers, capture events and user
 * input meet: IPv6 in RFC 5952 form (lower case, longest zero run compressed), IPv4-mapped IPv6
 * as plain IPv4. Text that is not an address is returned unchanged.
 */
export function canonicalIp(text: string): string {
  if (parseIPv4(text) >= 0) return text;
  const addr = parseAddress(text);
  if (!addr) return text;
  if (!addr.v6) return `${addr.v4 >>> 24}.${(addr.v4 >>> 16) & 255}.${(addr.v4 >>> 8) & 255}.${addr.v4 & 255}`;
  const g: number[] = [];
  for (const w of addr.words) g.push(w >>> 16, w & 0xffff);
  let bestStart = -1;
  let bestLen = 1; // a single zero group is not compressed
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (from: number, to: number) => g.slice(from, to).map((x) => x.toString(16)).join(':');
  if (bestStart < 0) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLen, 8)}`;
}
