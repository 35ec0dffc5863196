// A map keyed by the tuple a DNS question is matched on (protocol, client address and port,
// server address and port, name, type, DNS id) whose entries expire in bulk, by generations.
//
// No key string is built: the matcher looks keys up several times per packet in tables of ~100k
// entries, and concatenated key strings (allocated, flattened and hashed per lookup) were a
// quarter of the analysis time plus much of its garbage. The tuple is hashed to a small integer
// in place; entries sharing a hash are chained and told apart by comparing the fields.
//
// Generations: writes go to the current one, reads look in the current then the previous one,
// and rotating drops the previous one whole, so entries live one to two generation lengths.
// Per-entry expiry would leave holes that slow every later sweep of a large Map.

interface Node<V> {
  proto: string;
  client: string;
  clientPort: number;
  server: string;
  serverPort: number;
  qname: string;
  qtype: string;
  id: number;
  value: V;
  next: Node<V> | undefined;
}

/**
 * Each generation also sets one bit per key hash in a small bit array (256 KiB, so it stays in
 * the CPU cache): most lookups are for keys never seen (glibc opens a new socket per lookup), and
 * a clear bit answers them without touching the large Map, whose every probe is a cache miss.
 * A set bit may be another key's: then the Map decides, so answers are exact.
 */
const FILTER_BITS_LOG2 = 21;

const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 16777619;

function mixString(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  // A separator, so ("ab", "c") and ("a", "bc") differ.
  return Math.imul(h ^ 0x7c, FNV_PRIME);
}

/**
 * The last tuple hashed (without its id) and its hash: one packet asks several maps, and one map
 * twice (read, then write), about the same tuple, and hashing the strings is what costs.
 * Comparing the same string objects again is nearly free.
 */
let memoProto = '';
let memoClient = '';
let memoClientPort = -1;
let memoServer = '';
let memoServerPort = -1;
let memoQname = '';
let memoQtype = '';
let memoHash = 0;

function hashTuple(proto: string, client: string, clientPort: number, server: string, serverPort: number, qname: string, qtype: string, id: number): number {
  let h: number;
  if (clientPort === memoClientPort && serverPort === memoServerPort && qtype === memoQtype && client === memoClient && server === memoServer && qname === memoQname && proto === memoProto) h = memoHash;
  else {
    h = mixString(FNV_OFFSET, proto);
    h = mixString(h, client);
    h = Math.imul(h ^ clientPort, FNV_PRIME);
    h = mixString(h, server);
    h = Math.imul(h ^ serverPort, FNV_PRIME);
    h = mixString(h, qname);
    h = mixString(h, qtype);
    memoProto = proto;
    memoClient = client;
    memoClientPort = clientPort;
    memoServer = server;
    memoServerPort = serverPort;
    memoQname = qname;
    memoQtype = qtype;
    memoHash = h;
  }
  h = Math.imul(h ^ id, FNV_PRIME);
  // 30 bits: a small integer (Smi) key, which V8 maps hash and compare without allocating.
  return h >>> 2;
}

/**
 * Fields not part of a key (e.g. per client address only, or per socket only) are passed as ''
 * or 0 by the caller, consistently for one map. A map that is never rotated (generationMs
 * Infinity) is a plain map; give it a small filter, which then only ever says "maybe".
 */
export class QuestionKeyMap<V> {
  private current = new Map<number, Node<V>>();
  private previous = new Map<number, Node<V>>();
  private currentBits: Int32Array;
  private previousBits: Int32Array;
  private readonly filterMask: number;
  private currentCount = 0;
  private previousCount = 0;
  private startedAt = -Infinity;

  constructor(private readonly generationMs: number, filterBitsLog2 = FILTER_BITS_LOG2) {
    this.currentBits = new Int32Array(1 << Math.max(0, filterBitsLog2 - 5));
    this.previousBits = new Int32Array(1 << Math.max(0, filterBitsLog2 - 5));
    this.filterMask = (1 << Math.max(5, filterBitsLog2)) - 1;
  }

  private hasBit(bits: Int32Array, h: number): boolean {
    const b = h & this.filterMask;
    return (bits[b >>> 5] & (1 << (b & 31))) !== 0;
  }

  get(proto: string, client: string, clientPort: number, server: string, serverPort: number, qname: string, qtype: string, id: number): V | undefined {
    const h = hashTuple(proto, client, clientPort, server, serverPort, qname, qtype, id);
    let n = this.hasBit(this.currentBits, h) ? find(this.current.get(h), proto, client, clientPort, server, serverPort, qname, qtype, id) : undefined;
    if (n === undefined && this.previousCount && this.hasBit(this.previousBits, h)) n = find(this.previous.get(h), proto, client, clientPort, server, serverPort, qname, qtype, id);
    return n?.value;
  }

  set(proto: string, client: string, clientPort: number, server: string, serverPort: number, qname: string, qtype: string, id: number, value: V): void {
    const h = hashTuple(proto, client, clientPort, server, serverPort, qname, qtype, id);
    const head = this.hasBit(this.currentBits, h) ? this.current.get(h) : undefined;
    const n = find(head, proto, client, clientPort, server, serverPort, qname, qtype, id);
    if (n) {
      n.value = value;
      return;
    }
    const b = h & this.filterMask;
    this.currentBits[b >>> 5] |= 1 << (b & 31);
    this.current.set(h, { proto, client, clientPort, server, serverPort, qname, qtype, id, value, next: head });
    this.currentCount++;
  }

  delete(proto: string, client: string, clientPort: number, server: string, serverPort: number, qname: string, qtype: string, id: number): void {
    const h = hashTuple(proto, client, clientPort, server, serverPort, qname, qtype, id);
    // Bits stay set after a delete (the filter only ever says "maybe"); the next rotation clears them.
    if (unlink(this.current, h, proto, client, clientPort, server, serverPort, qname, qtype, id)) this.currentCount--;
    if (this.previousCount && unlink(this.previous, h, proto, client, clientPort, server, serverPort, qname, qtype, id)) this.previousCount--;
  }

  /** Entries in both generations (an upper bound of the distinct keys). */
  get size(): number {
    return this.currentCount + this.previousCount;
  }

  /** Starts a new generation when the current one is old enough. */
  rotate(now: number): void {
    if (this.startedAt === -Infinity) this.startedAt = now;
    if (now - this.startedAt < this.generationMs) return;
    this.previous = this.current;
    this.previousCount = this.currentCount;
    this.current = new Map();
    this.currentCount = 0;
    const bits = this.previousBits;
    this.previousBits = this.currentBits;
    this.currentBits = bits.fill(0);
    this.startedAt = now;
  }
}

function find<V>(n: Node<V> | undefined, proto: string, client: string, clientPort: number, server: string, serverPort: number, qname: string, qtype: string, id: number): Node<V> | undefined {
  for (; n !== undefined; n = n.next) {
    if (n.id === id && n.clientPort === clientPort && n.serverPort === serverPort && n.qtype === qtype && n.client === client && n.server === server && n.qname === qname && n.proto === proto) return n;
  }
  return undefined;
}

/** Removes the key's node from its chain; true when there was one. */
function unlink<V>(map: Map<number, Node<V>>, h: number, proto: string, client: string, clientPort: number, server: string, serverPort: number, qname: string, qtype: string, id: number): boolean {
  let prev: Node<V> | undefined;
  for (let n = map.get(h); n !== undefined; prev = n, n = n.next) {
    if (n.id !== id || n.clientPort !== clientPort || n.serverPort !== serverPort || n.qtype !== qtype || n.client !== client || n.server !== server || n.qname !== qname || n.proto !== proto) continue;
    if (prev) prev.next = n.next;
    else if (n.next) map.set(h, n.next);
    else map.delete(h);
    return true;
  }
  return false;
}
