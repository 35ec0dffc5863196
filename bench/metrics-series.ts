// Benchmark: how many series one agent exports, and what a scrape costs, at --providers providers
// (each with a service, connects that succeed and fail, resets, retransmits and lookups through
// two resolvers) and --checks HTTPS checks, through the status server's /metrics. Goal: under
// 2,000 series at 50 providers and 50 checks. Peer in the same run: the series of
// blackbox_exporter for the same number of HTTPS probes (its own /probe output, counted the same way).
// Usage: node dist/bench/metrics-series.js [--providers 50] [--checks 50]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { ProbeResult, TcpEvent } from '../src/events.js';
import { lookup } from '../test/health/scenario-helpers.js';
import { snapshot } from '../test/helpers/status-snapshot.js';
import { startTestServer } from '../test/helpers/status-server.js';
import { freePort } from '../test/helpers/free-port.js';
import { createTestCa } from '../test/helpers/test-ca.js';

const { values } = parseArgs({ options: { providers: { type: 'string', default: '50' }, checks: { type: 'string', default: '50' } } });
const providers = Number(values.providers);
const checks = Number(values.checks);
const now = Date.now();

const countSeries = (text: string) => {
  const byName = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)![0].replace(/_(bucket|sum|count)$/, '');
    byName.set(name, (byName.get(name) ?? 0) + 1);
  }
  return { total: [...byName.values()].reduce((a, b) => a + b, 0), byName: Object.fromEntries([...byName].sort((a, b) => b[1] - a[1])) };
};

const srv = await startTestServer({ now, topN: 50 });
try {
  await srv.store.putSnapshot(snapshot(Array.from({ length: providers }, (_, i) => ({ id: `p${i}` })), now));
  for (let i = 0; i < providers; i++) {
    const ip = `198.51.100.${i}`;
    const label = { ip, provider: `p${i}`, service: 'api', source: 'catalogue' as const, confidence: 1 };
    const tcp = (event: TcpEvent['event'], extra: Partial<TcpEvent> = {}): TcpEvent => ({ type: 'tcp', ts: now, event, src: '10.0.0.1', sport: 40000, dst: ip, dport: 443, pid: 1, comm: 'app', ...extra });
    srv.metrics.traffic.ingestEvents([tcp('established', { latencyMs: 20 }), tcp('failed', { reason: 'refused' }), tcp('failed', { reason: 'timeout' }), tcp('reset'), tcp('retransmit')].map((event) => ({ event, label })));
    srv.metrics.traffic.ingestLookups(['10.0.0.53', '10.0.0.54'].flatMap((server) => [lookup({ ts: now, qname: `api.p${i}.example`, server }), lookup({ ts: now, qname: `api.p${i}.example`, server, timeout: true })]));
  }
  for (let i = 0; i < checks; i++) {
    const r: ProbeResult = { type: 'probe', probe: 'http', check: `check-${i}`, target: `https://api.p${i % providers}.example/health`, ok: i % 10 !== 0, ts: now, phases: { dnsMs: 2, connectMs: 10, tlsMs: 30, firstByteMs: 50, transferMs: 8, totalMs: 100 }, attempts: 1, status: 200, httpVersion: '1.1', ip: '198.51.100.1', tlsVersion: 'TLSv1.3', certExpiryDays: 80, certNotAfter: now + 80 * 86_400_000, provider: `p${i % providers}` };
    srv.metrics.observeProbe(r);
  }
  const first = await (await fetch(`${srv.url}/metrics`)).text();
  const times: number[] = [];
  for (let i = 0; i < 50; i++) {
    srv.metrics.observeProbe({ type: 'probe', probe: 'http', check: 'check-0', target: 'https://api.p0.example/health', ok: true, ts: now, phases: { totalMs: 5 }, attempts: 1, provider: 'p0' });
    const t0 = performance.now();
    await (await fetch(`${srv.url}/metrics`)).text();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const ours = countSeries(first);

  // The peer: blackbox_exporter probing `checks` HTTPS targets on loopback, its series per probe.
  let peer: Record<string, unknown> = { note: 'prometheus-blackbox-exporter is not installed' };
  if (spawnSync('prometheus-blackbox-exporter', ['--version']).status === 0) {
    const dir = mkdtempSync(join(tmpdir(), 'ew-series-'));
    const ca = createTestCa();
    const leaf = ca.issue({ names: ['127.0.0.1'] });
    const target = createServer({ key: leaf.key, cert: leaf.cert }, (_q, s) => s.end('ok'));
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    writeFileSync(join(dir, 'bb.yml'), `modules:\n  https:\n    prober: http\n    http:\n      tls_config:\n        ca_file: ${ca.caFile}\n`);
    const port = await freePort();
    const bb = spawn('prometheus-blackbox-exporter', [`--config.file=${join(dir, 'bb.yml')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: 'ignore' });
    try {
      let text = '';
      for (let i = 0; i < 100 && !text; i++) {
        text = await fetch(`http://127.0.0.1:${port}/probe?module=https&target=https://127.0.0.1:${(target.address() as AddressInfo).port}/`).then((r) => r.text(), () => '');
        if (!text) await new Promise((r) => setTimeout(r, 100));
      }
      const one = countSeries(text);
      peer = { seriesPerProbe: one.total, seriesForAllChecks: one.total * checks, byName: one.byName };
    } finally {
      bb.kill();
      target.close();
      ca.remove();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log(JSON.stringify({ benchmark: 'metrics-series', providers, checks, series: ours.total, goal: 'under 2000', scrapeMs: { p50: Math.round(times[25] * 100) / 100, max: Math.round(times[49] * 100) / 100 }, bytes: first.length, byName: ours.byName, blackboxExporter: peer }, null, 2));
} finally {
  await srv.close();
}
