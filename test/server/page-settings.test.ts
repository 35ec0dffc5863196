// server.page: the title and logo in every page's header, provider groups on the overview in the
// configured order, providers hidden from it (and from its overall state), and the logo's origin
// allowed by the content security policy. Parsed from a configuration file too.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../src/config/load.js';
import { snapshot } from '../helpers/status-snapshot.js';
import { startTestServer } from '../helpers/status-server.js';

const NOW = Date.parse('2026-11-23T12:00:00Z');

test('overview: groups in order with headings, the rest under "Other providers", hidden providers left out', async (t) => {
  const srv = await startTestServer({
    now: NOW,
    overview: { groups: [{ name: 'Payments', providers: ['stripe', 'adyen'] }, { name: 'Infrastructure <core>', providers: ['aws'] }], hide: ['internal'] },
    monitoring: { site: { title: 'Shop & co', logoUrl: 'https://cdn.example.com/logo.svg' } },
    logoUrl: 'https://cdn.example.com/logo.svg',
  });
  t.after(() => srv.close());
  await srv.store.putSnapshot(snapshot([{ id: 'aws' }, { id: 'stripe' }, { id: 'twilio' }, { id: 'adyen', state: 'degraded' }, { id: 'internal', state: 'major_outage' }], NOW));
  const r = await fetch(`${srv.url}/`);
  const page = await r.text();
  const order = [...page.matchAll(/<tr class="group"><th colspan="6" scope="rowgroup">([^<]*(?:&lt;[^<]*)?)<\/th><\/tr>|<tr data-provider="([^"]+)"/g)].map((m) => m[1] ?? m[2]);
  assert.deepEqual(order, ['Payments', 'adyen', 'stripe', 'Infrastructure &lt;core&gt;', 'aws', 'Other providers', 'twilio']);
  assert.doesNotMatch(page, /data-provider="internal"/);
  assert.match(page, /Overall: Degraded/, "the hidden provider's outage does not turn the overview red");
  assert.match(page, /4 providers watched/);
  assert.match(page, /<title>Provider status · Shop &amp; co<\/title>/);
  assert.match(page, /<span class="brand"><img src="https:\/\/cdn.example.com\/logo.svg" alt="" height="24"> Shop &amp; co<\/span>/);
  assert.match(r.headers.get('content-security-policy') ?? '', /img-src 'self' data: https:\/\/cdn\.example\.com;/);
  // The hidden provider keeps its own page.
  assert.equal((await fetch(`${srv.url}/providers/internal`)).status, 200);
});

test('server.page in a configuration file; a logo that is neither a URL nor a path is refused', () => {
  const page = parseConfig('server:\n  page:\n    title: Payments platform\n    logoUrl: /assets/logo.svg\n    groups: [{name: Payments, providers: [stripe, adyen]}]\n    hide: internal\n', 'c.yml', '.').server.page;
  assert.deepEqual(page, { title: 'Payments platform', logoUrl: '/assets/logo.svg', groups: [{ name: 'Payments', providers: ['stripe', 'adyen'] }], hide: ['internal'] });
  assert.throws(() => parseConfig('server:\n  page:\n    logoUrl: "javascript:alert(1)"\n', 'c.yml', '.'), /server\.page\.logoUrl.*http\(s\) URL or a path/);
});
