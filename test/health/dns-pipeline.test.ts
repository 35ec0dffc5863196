// The recorded DNS scenarios (pcaps written by the DNS analysis tests) through DNS analysis and the
// reliability engine: a stopped resolver becomes a paged alert on that resolver; the clean recording fires nothing.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createPcapSource } from '../../src/capture/pcap-source.js';
import { createDnsAnalyzer, dnsAnalyzerDefaults } from '../../src/dns/dns-analyzer.js';
import type { LabeledLookup } from '../../src/external/labeled-event.js';
import { LabelingStage } from '../../src/external/labeling-stage.js';
import { defaultLabelsSettings } from '../../src/external/labels-settings.js';
import { dnsFindingInputOf } from '../../src/health/dns-finding-input.js';
import { repoRoot } from '../helpers/paths.js';
import { harness } from './scenario-helpers.js';

const recordings = join(repoRoot, 'test-output', 'dns-scenarios');

async function replay(name: string) {
  const outcomes: LabeledLookup[] = [];
  // The labelling stage as `run` wires it, its lookups collected to hand the engine in one go.
  const labels = new LabelingStage({ settings: defaultLabelsSettings(), sink: { ingestEvents: () => {}, ingestLookups: (l) => outcomes.push(...l) } });
  await labels.load({ asnDatabase: 'none', aws: false });
  const analyzer = createDnsAnalyzer({ ...dnsAnalyzerDefaults(), horizonMs: Infinity }, labels.analyzerHooks());
  let last = 0;
  await createPcapSource(join(recordings, `${name}.pcap`), { dnsPorts: [53] }).run((events) => {
    analyzer.ingest(events);
    for (const e of events) if (e.ts > last) last = e.ts;
  });
  analyzer.advance(last + 10_000);
  return { outcomes, findings: analyzer.snapshot().findings, last };
}

for (const [name, expectAlert] of [['resolver-down', 'DnsResolverDown'], ['clean', null]] as const) {
  test(`recorded DNS scenario "${name}" through analysis and the engine`, async (t) => {
    if (!existsSync(join(recordings, `${name}.pcap`))) {
      t.skip('recording absent: the DNS scenario tests write it (run test/dns first)');
      return;
    }
    const r = await replay(name);
    assert.ok(r.outcomes.length > 0, 'transactions became DNS outcomes');
    const h = await harness({ start: Math.floor(r.outcomes[0].tx.ts / 60_000) * 60_000 });
    h.engine.ingestLookups(r.outcomes);
    h.engine.reportDnsFindings(r.findings.map(dnsFindingInputOf));
    h.clock.set(r.last + 60_000);
    const tick = await h.engine.tick();
    if (expectAlert) {
      const alert = tick.fired.find((a) => a.name === expectAlert);
      assert.ok(alert, `fired: ${tick.fired.map((a) => a.name).join(', ')}`);
      assert.equal(alert.attribution?.scope, 'resolver');
      assert.equal((await h.store.listIncidents({ state: 'open' }))[0]?.providerId, 'local');
      // Lookups are DNS signal, not calls: names known from lookups alone are no provider row.
      assert.equal(tick.snapshot.providers.find((p) => p.id === 'unknown'), undefined);
      assert.ok(r.outcomes.some((o) => o.tx.outcome === 'timeout'), 'the failed lookups reached the engine');
    } else {
      assert.deepEqual(tick.fired.map((a) => a.name), []);
    }
  });
}
