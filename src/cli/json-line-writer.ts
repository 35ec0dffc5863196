// Writes one JSON object per line straight into bytes, the same bytes JSON.stringify would give
// for the same fields in the same order. Replay renders a line per packet: building an object
// and stringifying it was over a third of a replay's time, most of it spent on the object.

import type { LineBuffer } from './line-buffer.js';

/** A key with its encoded form, made once: `"name":`. */
export interface JsonKey {
  readonly name: string;
  readonly bytes: Uint8Array;
  /** Fields with fixed values written before the key (constantsThenKey). */
  readonly constants?: Readonly<Record<string, string | number | boolean>>;
}

/**
 * What writes one object's fields in order: JsonLineWriter into a line's bytes, JsonObjectBuilder
 * into the object JSON.parse would make of that line.
 */
export interface JsonFieldWriter {
  key(k: JsonKey): void;
  stringField(k: JsonKey, v: string | null): void;
  numberField(k: JsonKey, v: number): void;
  string(s: string): void;
  number(v: number): void;
  uint(v: number): void;
  boolean(v: boolean): void;
  null(): void;
  isoTime(ts: number): void;
  openObject(): void;
  closeObject(): void;
  openArray(): void;
  closeArray(): void;
}

export function jsonKey(name: string): JsonKey {
  return { name, bytes: Buffer.from(`${JSON.stringify(name)}:`) };
}

/**
 * Fields whose values are known in advance, then a key: written as one run of bytes. A line's
 * fixed parts ("type":"dns", a direction and protocol) cost one copy instead of a call per part.
 */
export function constantsThenKey(constants: Record<string, string | number | boolean>, name: string): JsonKey {
  return { name, constants, bytes: Buffer.from(`${JSON.stringify(constants).slice(1, -1)},${JSON.stringify(name)}:`) };
}

/** Below this, fixed() writes a number's shortest form itself. */
const MAX_FIXED = 2 ** 43;
/** 10000-01-01: beyond it toISOString writes a six-digit year with a sign. */
const LAST_4_DIGIT_YEAR = 253402300800000;

// Events come in time order, many per second: the date part is made once per second, as text
// and (for JsonLineWriter) as the bytes of its quoted start.
let isoSecond = Number.NaN;
let isoPrefix = '';
let isoPrefixQuoted: Buffer = Buffer.alloc(0);

/** Whether ISO text of this time is the common four-digit-year form that isoSecondPrefix makes. */
function inFourDigitYears(ts: number): boolean {
  return ts >= 0 && ts < LAST_4_DIGIT_YEAR;
}

/** Makes isoPrefix ("2026-01-01T00:00:00.") and its quoted bytes those of this second. */
function isoSecondPrefix(sec: number): void {
  if (sec === isoSecond) return;
  isoSecond = sec;
  isoPrefix = new Date(sec * 1000).toISOString().slice(0, 20);
  isoPrefixQuoted = Buffer.from(`"${isoPrefix}`);
}

/** A time in milliseconds since the epoch as Date.prototype.toISOString gives it. */
export function isoText(ts: number): string {
  if (!inFourDigitYears(ts)) return new Date(ts).toISOString(); // beyond year 9999: the long form
  const sec = Math.floor(ts / 1000);
  isoSecondPrefix(sec);
  const ms = Math.floor(ts - sec * 1000);
  return isoPrefix + (ms < 10 ? '00' : ms < 100 ? '0' : '') + ms + 'Z';
}

/** Encodes in place, into the buffer of the LineBuffer the line goes to: no copy per line. */
export class JsonLineWriter implements JsonFieldWriter {
  private lines: LineBuffer | undefined;
  private buf: Buffer = Buffer.alloc(0);
  /** Where the line starts in buf, and where the next byte goes. */
  private base = 0;
  private at = 0;
  /** Whether the next key or array item needs a comma before it. */
  private comma = false;

  /** Starts a line holding one object, to go to `lines` once closed (none other in between). */
  openLine(lines: LineBuffer): void {
    this.lines = lines;
    this.buf = lines.lineRoom(0, 0);
    this.base = this.at = lines.lineStart;
    this.comma = false;
    this.openObject();
  }

  /** Ends the line's object and adds the line. A line opened and never closed is not added. */
  closeLine(): void {
    this.closeObject();
    this.byte(0x0a);
    this.lines!.commitLine(this.at - this.base);
    this.lines = undefined;
  }

  openObject(): void {
    this.item();
    this.byte(0x7b);
    this.comma = false;
  }

  closeObject(): void {
    this.byte(0x7d);
    this.comma = true;
  }

  openArray(): void {
    this.byte(0x5b);
    this.comma = false;
  }

  closeArray(): void {
    this.byte(0x5d);
    this.comma = true;
  }

  /** A key of the current object; its value follows. */
  key(k: JsonKey): void {
    const b = k.bytes;
    this.room(b.length + 1);
    const out = this.buf;
    let o = this.at;
    if (this.comma) out[o++] = 0x2c;
    out.set(b, o);
    this.at = o + b.length;
    this.comma = false;
  }

  /** A key and its string value (or null). */
  stringField(k: JsonKey, v: string | null): void {
    this.key(k);
    if (v === null) this.null();
    else this.string(v);
  }

  /** A key and its number value. */
  numberField(k: JsonKey, v: number): void {
    this.key(k);
    this.number(v);
  }

  string(s: string): void {
    const n = s.length;
    this.room(n + 2);
    const out = this.buf;
    let o = this.at;
    out[o++] = 0x22;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      // Quotes, backslashes, control characters and anything beyond ASCII: JSON.stringify's own
      // escaping and UTF-8, so the bytes stay exactly its output.
      if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return this.text(JSON.stringify(s));
      out[o++] = c;
    }
    out[o++] = 0x22;
    this.at = o;
    this.comma = true;
  }

  number(v: number): void {
    if (v >= 0 && v < 0x80000000 && (v | 0) === v) this.uint(v);
    else if (v >= 1 && v < MAX_FIXED) this.fixed(v);
    else this.ascii(Number.isFinite(v) ? String(v) : 'null');
  }

  /**
   * A number in [1, 2^43) (every time in milliseconds until the year 2248) with its shortest
   * decimal form, as String(v) gives it, when that has at most 3 decimals: times from capture
   * clocks in micro- or nanoseconds. String() of such a double costs 200 ns, several fields' worth.
   */
  private fixed(v: number): void {
    const whole = Math.floor(v);
    const frac = v - whole; // exact: v and whole are within a factor of two
    let decimals = 0;
    let digits = 0;
    // The first decimal count whose nearest number reads back as v. Below 2^43 a double's spacing
    // is under 0.001, so at most one such number per count, and whole * 1000 + 999 stays exact.
    for (let scale = 1; decimals <= 3; decimals++, scale *= 10) {
      digits = Math.round(frac * scale);
      if ((whole * scale + digits) / scale === v) break;
    }
    if (decimals > 3) return this.ascii(String(v));
    const high = Math.floor(whole / 1e9);
    if (high > 0) {
      this.uint(high);
      this.padded(whole - high * 1e9, 9);
    } else this.uint(whole);
    if (decimals > 0) {
      this.byte(0x2e);
      // Shortest form: no trailing zeros (2 decimals of 0.50 were found as 1 decimal already).
      this.padded(digits, decimals);
    }
    this.comma = true;
  }

  /** An unsigned integer as exactly `width` digits, zeros first. */
  private padded(v: number, width: number): void {
    this.room(width);
    const out = this.buf;
    for (let o = this.at + width - 1; o >= this.at; o--) {
      out[o] = 0x30 + (v % 10);
      v = Math.floor(v / 10);
    }
    this.at += width;
  }

  boolean(v: boolean): void {
    this.ascii(v ? 'true' : 'false');
  }

  null(): void {
    this.ascii('null');
  }

  /**
   * A time in milliseconds since the epoch as ISO 8601 text ("2026-01-01T00:00:00.123Z"), as
   * Date.prototype.toISOString gives it. Events come in time order, many per second: the part
   * up to the second is encoded once per second.
   */
  isoTime(ts: number): void {
    if (!inFourDigitYears(ts)) return this.string(new Date(ts).toISOString());
    const sec = Math.floor(ts / 1000);
    isoSecondPrefix(sec);
    const p = isoPrefixQuoted;
    this.room(p.length + 5);
    const out = this.buf;
    let o = this.at;
    for (let i = 0; i < p.length; i++) out[o++] = p[i];
    const ms = Math.floor(ts - sec * 1000);
    out[o++] = 0x30 + Math.floor(ms / 100);
    out[o++] = 0x30 + (Math.floor(ms / 10) % 10);
    out[o++] = 0x30 + (ms % 10);
    out[o++] = 0x5a;
    out[o++] = 0x22;
    this.at = o;
    this.comma = true;
  }

  /** An unsigned integer below 2^31, as digits. */
  uint(v: number): void {
    this.room(10);
    const out = this.buf;
    let digits = 1;
    for (let x = v; x >= 10; x = Math.floor(x / 10)) digits++;
    let o = this.at + digits;
    this.at = o;
    do {
      out[--o] = 0x30 + (v % 10);
      v = Math.floor(v / 10);
    } while (v > 0);
    this.comma = true;
  }

  /** A comma before an array item (or a value that opens one) when one came before it. */
  private item(): void {
    if (this.comma) this.byte(0x2c);
  }

  private byte(c: number): void {
    this.room(1);
    this.buf[this.at++] = c;
  }

  /** Text that is already JSON and ASCII only (numbers, literals): short, so copied here. */
  private ascii(t: string): void {
    this.room(t.length);
    const out = this.buf;
    let o = this.at;
    for (let i = 0; i < t.length; i++) out[o++] = t.charCodeAt(i);
    this.at = o;
    this.comma = true;
  }

  /** Text that is already JSON, encoded as UTF-8. */
  private text(t: string): void {
    this.room(t.length * 3);
    this.at += this.buf.write(t, this.at, 'utf8');
    this.comma = true;
  }

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const kept = this.at - this.base;
    // Twice what is needed: a long line (many answers) moves a few times, not once per field.
    this.buf = this.lines!.lineRoom(kept, 2 * (kept + n));
    this.base = this.lines!.lineStart;
    this.at = this.base + kept;
  }
}

/** The object a line of JsonLineWriter's holds, made through the same calls without the text. */
export class JsonObjectBuilder implements JsonFieldWriter {
  private root: Record<string, unknown> = {};
  /** The object or array values go into, and those it is inside of. */
  private current: Record<string, unknown> | unknown[] = this.root;
  private inArray = false;
  private readonly outer: (Record<string, unknown> | unknown[])[] = [];
  private pendingKey = '';

  /** Starts a new object; `result` gives it once its fields are written. */
  begin(): void {
    this.root = this.current = {};
    this.inArray = false;
    this.outer.length = 0;
  }

  get result(): Record<string, unknown> {
    return this.root;
  }

  key(k: JsonKey): void {
    if (k.constants) Object.assign(this.current, k.constants);
    this.pendingKey = k.name;
  }

  stringField(k: JsonKey, v: string | null): void {
    this.key(k);
    this.put(v);
  }

  numberField(k: JsonKey, v: number): void {
    this.key(k);
    this.number(v);
  }

  string(s: string): void {
    this.put(s);
  }

  /** As the line reads back: NaN and infinities are null, -0 is 0. */
  number(v: number): void {
    this.put(Number.isFinite(v) ? v + 0 : null);
  }

  uint(v: number): void {
    this.put(v);
  }

  boolean(v: boolean): void {
    this.put(v);
  }

  null(): void {
    this.put(null);
  }

  isoTime(ts: number): void {
    this.put(isoText(ts));
  }

  openObject(): void {
    this.enter({});
  }

  closeObject(): void {
    this.leave();
  }

  openArray(): void {
    this.enter([]);
  }

  closeArray(): void {
    this.leave();
  }

  private enter(container: Record<string, unknown> | unknown[]): void {
    this.put(container);
    this.outer.push(this.current);
    this.current = container;
    this.inArray = Array.isArray(container);
  }

  private leave(): void {
    this.current = this.outer.pop()!;
    this.inArray = Array.isArray(this.current);
  }

  private put(v: unknown): void {
    if (this.inArray) (this.current as unknown[]).push(v);
    else (this.current as Record<string, unknown>)[this.pendingKey] = v;
  }
}
