// The sample configuration shipped in data/ must load, and must mention every top-level section
// the program knows, so it keeps documenting every option as sections are added.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { sections } from '../../src/config/sections.js';
import { dataDir } from '../helpers/paths.js';

const file = join(dataDir, 'egresswatch.example.yml');

test('data/egresswatch.example.yml loads and covers every section', () => {
  const config = loadConfig(file);
  const text = readFileSync(file, 'utf8');
  for (const s of sections) assert.match(text, new RegExp(`^${s.key}:`, 'm'), `section ${s.key} is documented`);
  assert.deepEqual(config.server.listen, { host: '127.0.0.1', port: 9797 });
  assert.equal(config.server.token, undefined, 'writes stay off in the sample');
  assert.deepEqual(config.checks.map((c) => c.type), ['http', 'dns', 'tcp', 'tls']);
  assert.equal(config.slos.length, 3);
  assert.equal(config.alerts.burnRates.length, 3);
  assert.equal(config.labels.endpoints[0].provider, 'internal-billing');
  assert.equal(config.store.retentionMs.day, 400 * 86_400_000);
});
