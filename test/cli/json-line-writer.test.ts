// The JSON line writer must give JSON.stringify's bytes exactly: any string (quotes, control
// characters, lone surrogates, non-ASCII), any number (capture times with micro- and nanosecond
// fractions, NaN, -0, huge and tiny), and lines that do not fit the buffer being filled; the
// object builder, given the same calls, the object the line reads back as.
// Generated from a fixed seed: every run checks the same cases.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { constantsThenKey, JsonLineWriter, JsonObjectBuilder, jsonKey, type JsonFieldWriter } from '../../src/cli/json-line-writer.js';
import { LineBuffer } from '../../src/cli/line-buffer.js';

const SEED = 20261204;

type Scalar = string | number | boolean | null;

/** The fields, one call per key and one per value. */
function writeFields(w: JsonFieldWriter, fields: [string, Scalar][]): void {
  for (const [k, v] of fields) {
    w.key(jsonKey(k));
    if (typeof v === 'string') w.string(v);
    else if (typeof v === 'number') w.number(v);
    else if (typeof v === 'boolean') w.boolean(v);
    else w.null();
  }
}

/** One object written field by field, then the whole line as text. */
function written(w: JsonLineWriter, lines: LineBuffer, fields: [string, Scalar][]): string {
  w.openLine(lines);
  writeFields(w, fields);
  w.closeLine();
  return Buffer.concat(lines.take()).toString('utf8');
}

/** Times as capture clocks give them: whole seconds plus micro- or nanoseconds, in milliseconds. */
const captureTime = fc.tuple(fc.integer({ min: 0, max: 8_000_000_000 }), fc.integer({ min: 0, max: 999_999_999 }), fc.boolean())
  .map(([sec, frac, nanos]) => sec * 1000 + (nanos ? frac / 1e6 : Math.floor(frac / 1000) / 1000));

const scalar: fc.Arbitrary<Scalar> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 10 }),
  fc.constantFrom('\u0000', '\u001b[31m', '"\\', '\ud800', 'a\udfffb', '\u2028', '\u007f\u0085', 'é', '𝄞'),
  fc.double(),
  fc.integer(),
  fc.nat(),
  captureTime,
  fc.constantFrom(-0, 0.1, 1e21, 1e-7, 2 ** 31, 2 ** 43, 2 ** 53, Number.MAX_VALUE, Number.MIN_VALUE, 0.5, 1.5, 999.9995),
  fc.boolean(),
  fc.constant(null),
);

test('any fields of strings, numbers, booleans and null: the bytes JSON.stringify gives', () => {
  const w = new JsonLineWriter();
  const lines = new LineBuffer();
  const builder = new JsonObjectBuilder();
  // Keys that are not array indices: an object puts those first, whatever their order.
  fc.assert(fc.property(fc.array(fc.tuple(fc.string({ maxLength: 8 }).map((k) => `k${k}`), scalar), { maxLength: 12 }), (fields) => {
    const unique = [...new Map(fields).entries()];
    const line = written(w, lines, unique);
    assert.equal(line, JSON.stringify(Object.fromEntries(unique)) + '\n');
    // The object builder, given the same calls, makes what the line reads back as.
    builder.begin();
    writeFields(builder, unique);
    assert.deepEqual(builder.result, JSON.parse(line));
  }), { seed: SEED, numRuns: 5_000 });
});

test('times as ISO text: what Date.prototype.toISOString says, in and out of the four-digit years', () => {
  const w = new JsonLineWriter();
  const lines = new LineBuffer();
  const iso = (ts: number) => {
    w.openLine(lines);
    w.key(jsonKey('ts'));
    w.isoTime(ts);
    w.closeLine();
    return Buffer.concat(lines.take()).toString();
  };
  fc.assert(fc.property(fc.oneof(captureTime, fc.integer({ min: -8.64e15, max: 8.64e15 }), fc.double({ min: -8.64e15, max: 8.64e15, noNaN: true })), (ts) => {
    assert.equal(iso(ts), JSON.stringify({ ts: new Date(ts).toISOString() }) + '\n');
  }), { seed: SEED, numRuns: 5_000 });
  // In time order, as a capture gives them: the cached second must move on.
  const start = Date.UTC(2026, 11, 31, 23, 59, 59);
  for (let ts = start; ts < start + 3000; ts += 0.37) assert.equal(iso(ts), JSON.stringify({ ts: new Date(ts).toISOString() }) + '\n');
});

test('lines longer than a buffer, and lines that reach a buffer\'s end, arrive whole and in order', () => {
  const w = new JsonLineWriter();
  const lines = new LineBuffer();
  const expected: string[] = [];
  // Lengths chosen to cross the 1 MiB buffers mid-line many times, one line of 3 MiB.
  for (let i = 0; i < 400; i++) {
    const text = (i % 10 === 3 ? 'é' : 'x').repeat(i === 200 ? 3 << 20 : (i * 7919) % 20000);
    expected.push(JSON.stringify({ i, text, fixed: true }));
    w.openLine(lines);
    w.key(jsonKey('i'));
    w.uint(i);
    w.key(jsonKey('text'));
    w.string(text);
    w.key(constantsThenKey({ fixed: true }, 'after'));
    w.null();
    w.closeLine();
    expected[i] = expected[i].replace(/}$/, ',"after":null}');
  }
  const out = Buffer.concat(lines.take()).toString('utf8');
  assert.equal(out, expected.join('\n') + '\n');
});

test('answers-like nesting: objects inside an array inside the line', () => {
  const w = new JsonLineWriter();
  const lines = new LineBuffer();
  const answers = [{ name: 'a.example', ttl: 60 }, { name: 'b"\\.example', ttl: 0 }];
  w.openLine(lines);
  w.key(constantsThenKey({ type: 'dns' }, 'answers'));
  w.openArray();
  for (const a of answers) {
    w.openObject();
    w.key(jsonKey('name'));
    w.string(a.name);
    w.key(jsonKey('ttl'));
    w.number(a.ttl);
    w.closeObject();
  }
  w.closeArray();
  w.key(jsonKey('empty'));
  w.openArray();
  w.closeArray();
  w.closeLine();
  assert.equal(Buffer.concat(lines.take()).toString(), JSON.stringify({ type: 'dns', answers, empty: [] }) + '\n');
  const b = new JsonObjectBuilder();
  b.begin();
  b.key(constantsThenKey({ type: 'dns' }, 'answers'));
  b.openArray();
  for (const a of answers) {
    b.openObject();
    b.stringField(jsonKey('name'), a.name);
    b.numberField(jsonKey('ttl'), a.ttl);
    b.closeObject();
  }
  b.closeArray();
  b.key(jsonKey('empty'));
  b.openArray();
  b.closeArray();
  assert.deepEqual(b.result, { type: 'dns', answers, empty: [] });
});
