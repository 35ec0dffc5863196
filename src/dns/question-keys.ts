// The fingerprints of a DNS question tuple (protocol, client address and port, server address and
// port, name, type, DNS id) under each key the transaction matcher looks it up by: computed once
// per packet, then used by several maps, instead of hashing the strings again for each lookup.
//
// A fingerprint is two independent 32-bit hashes (63 bits: the second lane is never 0), seeded
// per process so that crafted names cannot aim at collisions. Two different tuples are taken for
// one only if both lanes agree, about 2^-63 per comparison: far below any other error of passive
// analysis.
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
 * Each field's lanes are kept for the last string seen in that field: consecutive packets share
 * strings (a lookup's query and response, the A and AAAA of a pair), and hashing the characters
 * is what costs; comparing the same string objects again is nearly free.
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

function field(f: number, s: string): void {
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

export class QuestionKeys {
  /** Socket, question and DNS id: one query. */
  idA = 0;
  idB = 1;
  /** Socket and question: attempts at a question from one socket. */
  questionA = 0;
  questionB = 1;
  /** Client address and question: attempts from any socket of a client. */
  clientA = 0;
  clientB = 1;
  /** Socket alone. */
  socketA = 0;
  socketB = 1;

  /** Fills every key of the tuple. Fields combine in order ((a ^ x) * P is one-to-one in x). */
  of(proto: string, client: string, clientPort: number, server: string, serverPort: number, qname: string, qtype: string, id: number): this {
    field(CLIENT, client);
    const clientA = hA;
    const clientB = hB;
    field(PROTO, proto);
    let a = Math.imul(Math.imul(SEED1 ^ hA, P1) ^ clientA, P1);
    let b = Math.imul(Math.imul(SEED2 ^ hB, P2) ^ clientB, P2);
    a = Math.imul(a ^ clientPort, P1);
    b = Math.imul(b ^ clientPort, P2);
    field(SERVER, server);
    a = Math.imul(Math.imul(a ^ hA, P1) ^ serverPort, P1);
    b = Math.imul(Math.imul(b ^ hB, P2) ^ serverPort, P2);
    this.socketA = fmix(a);
    this.socketB = fmix(b) | 1; // never 0: a zero second lane marks an empty slot
    field(QNAME, qname);
    const nameA = hA;
    const nameB = hB;
    field(QTYPE, qtype);
    const typeA = hA;
    const typeB = hB;
    a = Math.imul(Math.imul(a ^ nameA, P1) ^ typeA, P1);
    b = Math.imul(Math.imul(b ^ nameB, P2) ^ typeB, P2);
    this.questionA = fmix(a);
    this.questionB = fmix(b) | 1;
    this.idA = fmix(Math.imul(a ^ id, P1));
    this.idB = fmix(Math.imul(b ^ id, P2)) | 1;
    a = Math.imul(Math.imul(Math.imul(SEED1 ^ clientA, P1) ^ nameA, P1) ^ typeA, P1);
    b = Math.imul(Math.imul(Math.imul(SEED2 ^ clientB, P2) ^ nameB, P2) ^ typeB, P2);
    this.clientA = fmix(a);
    this.clientB = fmix(b) | 1;
    return this;
  }
}
