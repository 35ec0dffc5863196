// The report surfaces: the human table escapes hostile names and process names, and the JSON
// keeps the output contract's fields.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { reportJson } from '../../src/cli/dns-command.js';
import { createDnsAnalyzer } from '../../src/dns/dns-analyzer.js';
import { reportText } from '../../src/dns/report-text.js';
import { visibleText as escapeText } from '../../src/visible-text.js';
import { emptySummary } from '../../src/events.js';
import { query, response } from './dns-events.js';

const T0 = Date.UTC(2026, 0, 1);

function hostileSnapshot() {
  // A label with ESC [ 2 J (clear screen) and a newline, asked by a process named with a bidi override.
  const evil = Buffer.from([0, 7, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 6, 0x1b, 0x5b, 0x32, 0x4a, 0x0a, 0x78, 7, ...Buffer.from('example'), 3, ...Buffer.from('com'), 0, 0, 1, 0, 1]);
  const flow = { client: '10.203.1.2', port: 40000, server: '10.203.0.10', comm: 'ev\u202eil\x1b', pid: 3 };
  const a = createDnsAnalyzer({ horizonMs: Infinity });
  const q = query(flow, T0, 7, 'placeholder.example.com');
  const events = [];
  for (let i = 0; i < 4; i++) {
    events.push({ ...q, ts: T0 + i * 10, sport: 40000 + i, payload: evil });
    const r = response({ ...flow, port: 40000 + i }, T0 + i * 10 + 1, 7, 'placeholder.example.com', 'A', { rcode: 'SERVFAIL' });
    const rp = Buffer.from(evil);
    rp[2] = 0x81;
    rp[3] = 0x82; // QR, RD, RA, SERVFAIL
    events.push({ ...r, payload: rp });
  }
  a.ingest(events);
  return a.snapshot();
}

test('the human table shows hostile names and process names escaped', () => {
  const snap = hostileSnapshot();
  assert.equal(snap.names[0].name, '\\027[2j\\010x.example.com', 'the parser escapes label bytes as dig does');
  const text = reportText(snap);
  assert.ok(!/[\x00-\x08\x0b-\x1f\x7f\u202e]/.test(text), 'no control or bidi characters reach the terminal');
  assert.match(text, /\\027\[2j\\010x\.example\.com/);
  assert.match(text, /ev\\u202eil\\x1b/);
  assert.match(text, /upstream_failure/);
});

test('escapeText leaves ordinary text alone', () => {
  assert.equal(escapeText('api.example.com getent[12]'), 'api.example.com getent[12]');
  assert.equal(escapeText('a\nb\u009bc'), 'a\\x0ab\\x9bc');
});

test('the JSON report carries the contract fields', () => {
  const json = reportJson(hostileSnapshot(), emptySummary(), 'test') as Record<string, unknown>;
  assert.equal(json.transactions, 4);
  const [r] = json.resolvers as Record<string, unknown>[];
  for (const k of ['server', 'queries', 'answered', 'timeouts', 'rcodes', 'latencyMs']) assert.ok(k in r, k);
  assert.deepEqual(Object.keys(r.latencyMs as object).slice(0, 3), ['p50', 'p90', 'p99']);
  assert.equal((r.rcodes as Record<string, number>).SERVFAIL, 4);
  const [f] = json.findings as Record<string, unknown>[];
  for (const k of ['kind', 'severity', 'resolver', 'zone', 'name', 'count', 'clients', 'summary']) assert.ok(k in f, k);
  assert.equal(f.kind, 'upstream_failure');
  assert.equal(f.zone, 'example.com');
  assert.deepEqual(f.processes, ['ev\u202eil\x1b[3]'], 'JSON keeps the raw process name; JSON encoding makes it safe');
});
