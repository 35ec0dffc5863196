// A map keyed by the tuple a DNS question is matched on (protocol, client address and port,
// server address and port, name, type, DNS id) whose entries expire in bulk, by generations.
//
// The matcher keeps every query of the last ~9 s here (hundreds of thousands of entries at a busy
// node's rate). As JS objects (a node per entry holding its key strings) they outlived the young
// generation, so every query became old-space garbage: most of the GC time and peak memory of
// the analysis. Here an entry is a few slots in typed arrays: its key is stored as a 63-bit
// fingerprint (two independent 32-bit hashes of the tuple, seeded per process), a number value
// (the send time of an answered query) as a double, and only object values (open or failed
// attempts: few) as references. Two different tuples are taken for one only if both hashes agree,
// about 2^-63 per comparison: far below any other error of passive analysis.
//
// Generations: writes go to the current one, reads look in the current then the previous one,
// and rotating drops the previous one whole (its arrays are cleared and reused), so entries live
// one to two generation lengths and memory is bounded by the query rate times the window.

import { randomFillSync } from 'node:crypto';

const P1 = 0x01000193; // FNV prime
const P2 = 0x5bd1e995; // MurmurHash2 multiplier: a second lane that does not follow the first
const seeds = randomFillSync(new Int32Array(2));
const SEED1 = seeds[0] ^ 0x811c9dc5;
const SEED2 = seeds[1] | 1;

/** MurmurHash3's finaliser: every input bit moves every output bit, so low bits index well. */
function fmix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

/**
 * Each field's hash lanes are kept for the last string seen in that field: the tuples of one
 * packet share strings (its socket, its question, its client alone), and hashing the characters
 * is what costs. Empty fields (keys that leave a field out) have fixed lanes.
 */
const PROTO = 0;
const CLIENT = 1;
const SERVER = 2;
const QNAME = 3;
const QTYPE = 4;
const fieldText: string[] = ['', '', '', '', ''];
const fieldA = new Int32Array(5);
const fieldB = new Int32Array(5);
/** Lanes of the field last passed to field(). */
let hA = 0;
let hB = 0;
/** The fingerprint of the tuple last passed to fingerprint(). */
let fpA = 0;
let fpB = 0;

function field(f: number, s: string): void {
  if (s === '') {
    hA = 0;
    hB = 0;
    return;
  }
  if (s === fieldText[f]) {
    hA = fieldA[f];
    hB = fieldB[f];
    return;
  }
  let a = SEED1;
  let b = SEED2;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, P1);
    b = Math.imul(b ^ c, P2);
  }
  hA = fmix(a);
  hB = fmix(b);
  fieldText[f] = s;
  fieldA[f] = hA;
  fieldB[f] = hB;
}

/**
 * The last tuple (without its id) of each shape of key (full; client and question only; socket
 * only) and its lanes: one packet asks the maps about the same few tuples several times, so most
 * calls only compare string references.
 */
const tupleProto: string[] = ['', '', ''];
const tupleClient: string[] = ['', '', ''];
const tupleServer: string[] = ['', '', ''];
const tupleQname: string[] = ['', '', ''];
const tupleQtype: string[] = ['', '', ''];
const tuplePorts = new Int32Array([-1, -1, -1, -1, -1, -1]);
const tupleA = new Int32Array(3);
const tupleB = new Int32Array(3);

function fingerprint(proto: string, client: string, clientPort: number, server: string, serverPort: number, qname: string, qtype: string, id: number): void {
  const k = qname === '' ? 2 : proto === '' ? 1 : 0;
  let a: number;
  let b: number;
  if (clientPort === tuplePorts[2 * k] && serverPort === tuplePorts[2 * k + 1] && client === tupleClient[k] && qname === tupleQname[k]
    && qtype === tupleQtype[k] && server === tupleServer[k] && proto === tupleProto[k]) {
    a = tupleA[k];
    b = tupleB[k];
  } else {
    // Fields combine in order (x -> (a ^ x) * P is one-to-one for a given a), so a tuple whose
    // fields are swapped gets another fingerprint.
    field(PROTO, proto);
    a = Math.imul(SEED1 ^ hA, P1);
    b = Math.imul(SEED2 ^ hB, P2);
    field(CLIENT, client);
    a = Math.imul(Math.imul(a ^ hA, P1) ^ clientPort, P1);
    b = Math.imul(Math.imul(b ^ hB, P2) ^ clientPort, P2);
    field(SERVER, server);
    a = Math.imul(Math.imul(a ^ hA, P1) ^ serverPort, P1);
    b = Math.imul(Math.imul(b ^ hB, P2) ^ serverPort, P2);
    field(QNAME, qname);
    a = Math.imul(a ^ hA, P1);
    b = Math.imul(b ^ hB, P2);
    field(QTYPE, qtype);
    a = Math.imul(a ^ hA, P1);
    b = Math.imul(b ^ hB, P2);
    tupleProto[k] = proto;
    tupleClient[k] = client;
    tupleServer[k] = server;
    tupleQname[k] = qname;
    tupleQtype[k] = qtype;
    tuplePorts[2 * k] = clientPort;
    tuplePorts[2 * k + 1] = serverPort;
    tupleA[k] = a;
    tupleB[k] = b;
  }
  fpA = fmix(Math.imul(a ^ id, P1));
  // Never 0: a zero second lane marks an empty slot.
  fpB = fmix(Math.imul(b ^ id, P2)) | 1;
}

const MIN_SLOTS = 1 << 10;

function removeFrom(g: Generation<object>): void {
  const s = g.count ? g.find(fpA, fpB) : -1;
  if (s >= 0) g.remove(s);
}

/** One generation: an open-addressing (linear probing) table kept at most half full. */
class Generation<V extends object> {
  /** Per slot: the two fingerprint lanes; [_, 0] is empty. */
  fp: Int32Array;
  num: Float64Array;
  obj: (V | undefined)[];
  mask: number;
  count = 0;

  constructor(slots: number) {
    this.fp = new Int32Array(slots * 2);
    this.num = new Float64Array(slots);
    this.obj = new Array<V | undefined>(slots).fill(undefined);
    this.mask = slots - 1;
  }

  /** The slot holding the fingerprint, or -1. */
  find(a: number, b: number): number {
    const fp = this.fp;
    const mask = this.mask;
    for (let i = a & mask; ; i = (i + 1) & mask) {
      const lane = fp[2 * i + 1];
      if (lane === 0) return -1;
      if (lane === b && fp[2 * i] === a) return i;
    }
  }

  /** The slot for the fingerprint, claimed when absent. */
  claim(a: number, b: number): number {
    if ((this.count + 1) * 2 > this.mask + 1) this.grow();
    const fp = this.fp;
    const mask = this.mask;
    for (let i = a & mask; ; i = (i + 1) & mask) {
      const lane = fp[2 * i + 1];
      if (lane === b && fp[2 * i] === a) return i;
      if (lane === 0) {
        fp[2 * i] = a;
        fp[2 * i + 1] = b;
        this.count++;
        return i;
      }
    }
  }

  /** Empties slot i, moving later entries of its probe run back so lookups never stop early. */
  remove(i: number): void {
    const fp = this.fp;
    const mask = this.mask;
    this.count--;
    for (;;) {
      fp[2 * i] = 0;
      fp[2 * i + 1] = 0;
      this.obj[i] = undefined;
      let j = i;
      for (;;) {
        j = (j + 1) & mask;
        if (fp[2 * j + 1] === 0) return;
        const home = fp[2 * j] & mask;
        // An entry may fill the hole only if its home slot is not between the hole and itself.
        if (i <= j ? i < home && home <= j : i < home || home <= j) continue;
        break;
      }
      fp[2 * i] = fp[2 * j];
      fp[2 * i + 1] = fp[2 * j + 1];
      this.num[i] = this.num[j];
      this.obj[i] = this.obj[j];
      i = j;
    }
  }

  clear(): void {
    if (this.count === 0) return;
    this.fp.fill(0);
    this.obj.fill(undefined);
    this.count = 0;
  }

  private grow(): void {
    const { fp, num, obj } = this;
    const slots = (this.mask + 1) * 2;
    this.fp = new Int32Array(slots * 2);
    this.num = new Float64Array(slots);
    this.obj = new Array<V | undefined>(slots).fill(undefined);
    this.mask = slots - 1;
    this.count = 0;
    for (let i = 0; i < num.length; i++) {
      if (fp[2 * i + 1] === 0) continue;
      const s = this.claim(fp[2 * i], fp[2 * i + 1]);
      this.num[s] = num[i];
      this.obj[s] = obj[i];
    }
  }
}

/**
 * Values are objects (V) or numbers. Fields not part of a key (e.g. per client address only, or
 * per socket only) are passed as '' or 0 by the caller, consistently for one map. A map that is
 * never rotated (generationMs Infinity) is a plain map.
 */
export class QuestionKeyMap<V extends object> {
  private current = new Generation<V>(MIN_SLOTS);
  private previous = new Generation<V>(MIN_SLOTS);
  private startedAt = -Infinity;

  constructor(private readonly generationMs: number) {}

  get(proto: string, client: string, clientPort: number, server: string, serverPort: number, qname: string, qtype: string, id: number): V | number | undefined {
    fingerprint(proto, client, clientPort, server, serverPort, qname, qtype, id);
    let g = this.current;
    let s = g.count ? g.find(fpA, fpB) : -1;
    if (s < 0 && this.previous.count) {
      g = this.previous;
      s = g.find(fpA, fpB);
    }
    if (s < 0) return undefined;
    return g.obj[s] ?? g.num[s];
  }

  /** The value when it is an object (for maps that hold only objects). */
  getObject(proto: string, client: string, clientPort: number, server: string, serverPort: number, qname: string, qtype: string, id: number): V | undefined {
    const v = this.get(proto, client, clientPort, server, serverPort, qname, qtype, id);
    return typeof v === 'object' ? v : undefined;
  }

  set(proto: string, client: string, clientPort: number, server: string, serverPort: number, qname: string, qtype: string, id: number, value: V | number): void {
    fingerprint(proto, client, clientPort, server, serverPort, qname, qtype, id);
    const g = this.current;
    const s = g.claim(fpA, fpB);
    if (typeof value === 'number') {
      g.num[s] = value;
      g.obj[s] = undefined;
    } else {
      g.obj[s] = value;
    }
  }

  delete(proto: string, client: string, clientPort: number, server: string, serverPort: number, qname: string, qtype: string, id: number): void {
    fingerprint(proto, client, clientPort, server, serverPort, qname, qtype, id);
    removeFrom(this.current);
    removeFrom(this.previous);
  }

  /** Entries in both generations (an upper bound of the distinct keys). */
  get size(): number {
    return this.current.count + this.previous.count;
  }

  /** Starts a new generation when the current one is old enough. */
  rotate(now: number): void {
    if (this.startedAt === -Infinity) this.startedAt = now;
    if (now - this.startedAt < this.generationMs) return;
    const dropped = this.previous;
    this.previous = this.current;
    dropped.clear();
    this.current = dropped;
    this.startedAt = now;
  }
}
