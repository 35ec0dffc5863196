// Transaction matching through the analyzer: answers, timeouts, retransmissions, retries,
// TCP after truncation and parallel A/AAAA pairs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createDnsAnalyzer } from '../../src/dns/dns-analyzer.js';
import type { DnsTransaction } from '../../src/dns/types.js';
import { query, response, type Flow } from './dns-events.js';

const T0 = Date.UTC(2026, 0, 1);
const flow: Flow = { client: '10.203.1.2', port: 40000, server: '10.203.0.10', comm: 'curl', pid: 77 };

function analyze(events: Parameters<ReturnType<typeof createDnsAnalyzer>['ingest']>[0], end?: number) {
  const txs: DnsTransaction[] = [];
  const a = createDnsAnalyzer({ horizonMs: Infinity }, { onTransaction: (tx) => txs.push({ ...tx }) });
  a.ingest(events);
  if (end !== undefined) a.advance(end);
  return { txs, snap: a.snapshot() };
}

test('a response matches its query by socket, id and question; latency and answers recorded', () => {
  const { txs, snap } = analyze([
    query(flow, T0, 1, 'a.example.com'),
    response({ ...flow, port: 40001 }, T0 + 1, 1, 'a.example.com'), // other port: not ours
    response(flow, T0 + 2, 2, 'a.example.com'), // other id
    response(flow, T0 + 3, 1, 'b.example.com'), // other question
    response(flow, T0 + 4.5, 1, 'a.example.com', 'A', { answers: 2 }),
  ]);
  assert.equal(txs.length, 1);
  assert.equal(txs[0].outcome, 'answered');
  assert.equal(txs[0].latencyMs, 4.5);
  assert.equal(txs[0].answers, 2);
  assert.equal(txs[0].comm, 'curl');
  assert.equal(snap.unmatchedResponses, 3);
  assert.equal(snap.resolvers[0].rcodes.NOERROR, 1);
});

test('unanswered queries time out after 5 s by default; open ones are reported pending, never dropped', () => {
  const { txs, snap } = analyze([query(flow, T0, 1, 'x.example.com'), query(flow, T0 + 4_000, 2, 'y.example.com')], T0 + 5_500);
  assert.deepEqual(txs.map((t) => [t.qname, t.outcome]), [['x.example.com', 'timeout']]);
  assert.equal(snap.timeouts, 1);
  assert.equal(snap.pending, 1);
  assert.equal(snap.resolvers[0].timeouts, 1);
  assert.equal(snap.resolvers[0].pending, 1);
});

test('a re-send of the same query before the timeout is a retransmission of one transaction', () => {
  const { txs } = analyze([
    query(flow, T0, 9, 'r.example.com'),
    query(flow, T0 + 1_000, 9, 'r.example.com'),
    response(flow, T0 + 1_020, 9, 'r.example.com'),
  ]);
  assert.equal(txs.length, 1);
  assert.equal(txs[0].retransmissions, 1);
  assert.equal(txs[0].latencyMs, 1_020);
});

test('a new id for the same question after a timeout or SERVFAIL is a retry', () => {
  const { txs } = analyze([
    query(flow, T0, 1, 's.example.com'),
    query({ ...flow, port: 40010 }, T0 + 5_100, 2, 's.example.com'),
    response({ ...flow, port: 40010 }, T0 + 5_110, 2, 's.example.com', 'A', { rcode: 'SERVFAIL' }),
    query({ ...flow, port: 40011 }, T0 + 5_200, 3, 's.example.com'),
    response({ ...flow, port: 40011 }, T0 + 5_210, 3, 's.example.com'),
  ]);
  assert.deepEqual(txs.map((t) => [t.outcome, t.retries, t.retryOf ?? null, t.stalled]), [
    ['timeout', 0, null, true],
    ['answered', 1, 'timeout', true],
    ['answered', 2, 'servfail', false],
  ]);
});

test('a truncated UDP answer followed by a TCP query is a TCP retry after truncation', () => {
  const tcp: Flow = { ...flow, port: 41000, proto: 'tcp' };
  const { txs } = analyze([
    query(flow, T0, 5, 'big.example.com', 'TXT'),
    response(flow, T0 + 2, 5, 'big.example.com', 'TXT', { tc: true, answers: 0 }),
    query(tcp, T0 + 3, 5, 'big.example.com', 'TXT'),
    response(tcp, T0 + 9, 5, 'big.example.com', 'TXT', { answers: 1 }),
  ]);
  assert.equal(txs.length, 2);
  assert.equal(txs[0].truncated, true);
  assert.equal(txs[1].proto, 'tcp');
  assert.equal(txs[1].tcpAfterTruncation, true);
  assert.equal(txs[1].retryOf, 'truncated');
});

test('A and AAAA sent together from one socket are a parallel pair; another lookup of an answered name is not a retry', () => {
  const { txs } = analyze([
    query(flow, T0, 10, 'p.example.com', 'A'),
    query(flow, T0 + 0.1, 11, 'p.example.com', 'AAAA'),
    response(flow, T0 + 1, 10, 'p.example.com', 'A'),
    response(flow, T0 + 1.2, 11, 'p.example.com', 'AAAA'),
    query({ ...flow, port: 40100 }, T0 + 200, 12, 'p.example.com', 'A'),
    response({ ...flow, port: 40100 }, T0 + 201, 12, 'p.example.com', 'A'),
  ]);
  assert.deepEqual(txs.map((t) => [t.qtype, t.parallel, t.retries]), [['A', true, 0], ['AAAA', true, 0], ['A', false, 0]]);
});
