// Longest-prefix-match binary trie for IPv4 and IPv6 prefixes, stored in typed arrays so that a
// full cloud range set (tens of thousands of prefixes) builds in milliseconds and lookups do
// not allocate.
import { parseIPv4, parseIPv6, type Cidr } from './ip-address.js';

const NONE = -1;

/** One family's trie: nodes are indexes; children and value slots live in flat arrays. */
class BitTrie {
  private left: Int32Array;
  private right: Int32Array;
  private slot: Int32Array;
  private count = 1;

  constructor(capacity = 1024) {
    this.left = new Int32Array(capacity).fill(NONE);
    this.right = new Int32Array(capacity).fill(NONE);
    this.slot = new Int32Array(capacity).fill(NONE);
  }

  get nodes(): number {
    return this.count;
  }

  private grow(): void {
    const size = this.left.length * 2;
    const widen = (a: Int32Array) => {
      const b = new Int32Array(size).fill(NONE);
      b.set(a);
      return b;
    };
    this.left = widen(this.left);
    this.right = widen(this.right);
    this.slot = widen(this.slot);
  }

  /** Walks (creating nodes) to the prefix's node; returns its index. */
  node(words: readonly number[], prefix: number): number {
    let n = 0;
    for (let i = 0; i < prefix; i++) {
      const bit = (words[i >>> 5] >>> (31 - (i & 31))) & 1;
      const children = bit ? this.right : this.left;
      let next = children[n];
      if (next === NONE) {
        if (this.count === this.left.length) this.grow();
        next = this.count++;
        (bit ? this.right : this.left)[n] = next;
      }
      n = next;
    }
    return n;
  }

  getSlot(node: number): number {
    return this.slot[node];
  }

  setSlot(node: number, value: number): void {
    this.slot[node] = value;
  }

  /** Slot of the longest prefix containing the 32-bit address, or NONE. */
  match32(addr: number): number {
    const left = this.left;
    const right = this.right;
    const slot = this.slot;
    let best = slot[0];
    let n = 0;
    for (let i = 31; i >= 0; i--) {
      n = (addr >>> i) & 1 ? right[n] : left[n];
      if (n === NONE) break;
      if (slot[n] !== NONE) best = slot[n];
    }
    return best;
  }

  /** Slot of the longest prefix containing the 128-bit address, or NONE. */
  match128(words: Uint32Array): number {
    const left = this.left;
    const right = this.right;
    const slot = this.slot;
    let best = slot[0];
    let n = 0;
    for (let w = 0; w < 4; w++) {
      const word = words[w];
      for (let i = 31; i >= 0; i--) {
        n = (word >>> i) & 1 ? right[n] : left[n];
        if (n === NONE) return best;
        if (slot[n] !== NONE) best = slot[n];
      }
    }
    return best;
  }
}

/**
 * Maps CIDR prefixes of both families to values; lookup returns the value of the longest
 * prefix that contains the address. Inserting an existing prefix calls `merge` to decide.
 */
export class PrefixTrie<T> {
  private readonly v4 = new BitTrie();
  private readonly v6 = new BitTrie();
  private readonly values: T[] = [];
  private readonly scratch = new Uint32Array(4);
  private prefixCount = 0;

  /** Prefixes stored (distinct). */
  get size(): number {
    return this.prefixCount;
  }

  /** Trie nodes in use, both families: a measure of memory. */
  get nodes(): number {
    return this.v4.nodes + this.v6.nodes;
  }

  insert(cidr: Cidr, value: T, merge: (existing: T, incoming: T) => T = (_e, incoming) => incoming): void {
    const trie = cidr.v6 ? this.v6 : this.v4;
    const node = trie.node(cidr.words, cidr.prefix);
    const existing = trie.getSlot(node);
    if (existing === NONE) {
      this.values.push(value);
      trie.setSlot(node, this.values.length - 1);
      this.prefixCount++;
    } else {
      this.values[existing] = merge(this.values[existing], value);
    }
  }

  lookupV4(addr: number): T | undefined {
    const s = this.v4.match32(addr);
    return s === NONE ? undefined : this.values[s];
  }

  lookupV6(words: Uint32Array): T | undefined {
    // IPv4-mapped IPv6 addresses are looked up as IPv4.
    if (words[0] === 0 && words[1] === 0 && words[2] === 0xffff) return this.lookupV4(words[3]);
    const s = this.v6.match128(words);
    return s === NONE ? undefined : this.values[s];
  }

  /** Looks up a textual address; undefined for no match or text that is not an address. */
  lookup(ip: string): T | undefined {
    const v4 = parseIPv4(ip);
    if (v4 >= 0) return this.lookupV4(v4);
    return parseIPv6(ip, this.scratch) ? this.lookupV6(this.scratch) : undefined;
  }
}
