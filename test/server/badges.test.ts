// Badges: /badges/{provider}/state.svg and /badges/{provider}/uptime.svg?days=N as shields-style
// SVG, cacheable, with every name escaped (a provider configured with "<script>" in its name).
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { snapshot } from '../helpers/status-snapshot.js';
import { startTestServer } from '../helpers/status-server.js';
import { launchChromium } from '../helpers/chromium.js';

/** Another origin (a README, a wiki) that embeds a badge with <img src=...>. */
async function startEmbeddingPage(): Promise<{ url: string; close: () => void }> {
  const server = createServer((req, res) => {
    const src = new URL(req.url ?? '/', 'http://x').searchParams.get('src') ?? '';
    res.setHeader('content-type', 'text/html');
    res.end(`<!doctype html><img src="${src.replace(/[&"<>]/g, (c) => `&#${c.charCodeAt(0)};`)}">`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

const NOW = Date.parse('2026-11-23T12:00:00Z');

async function setup() {
  const srv = await startTestServer({ now: NOW });
  await srv.store.putSnapshot(snapshot([
    { id: 'stripe', state: 'operational' },
    { id: 'evil', name: '<script>alert(1)</script> & "co"', state: 'major_outage' },
  ], NOW));
  return srv;
}

test('state badge: shields-style SVG with the state and its colour, cacheable for a minute', async (t) => {
  const srv = await setup();
  t.after(() => srv.close());
  const r = await fetch(`${srv.url}/badges/stripe/state.svg`);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'image/svg+xml; charset=utf-8');
  assert.equal(r.headers.get('cache-control'), 'public, max-age=60');
  const svg = await r.text();
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="\d+" height="20" role="img" aria-label="stripe: operational">/);
  assert.match(svg, /fill="#4c1"/);
  assert.match(svg, /<text x="[\d.]+" y="14">operational<\/text><\/g><\/svg>$/);
});

test('a provider named with markup: the badge carries it as text only', async (t) => {
  const srv = await setup();
  t.after(() => srv.close());
  const svg = await (await fetch(`${srv.url}/badges/evil/state.svg`)).text();
  assert.doesNotMatch(svg, /<script/);
  assert.match(svg, /&lt;script&gt;alert\(1\)&lt;\/script&gt; &amp; &quot;co&quot;: major outage/);
  assert.match(svg, /fill="#e05d44"/);
  // Every tag opened is closed: the structure of a well-formed document.
  const open = [...svg.matchAll(/<([a-zA-Z]+)[^>]*?(\/?)>/g)].filter((m) => m[2] !== '/').map((m) => m[1]);
  const closed = [...svg.matchAll(/<\/([a-zA-Z]+)>/g)].map((m) => m[1]);
  assert.deepEqual(open.sort(), closed.sort());
});

test('uptime badge over N days; unknown providers and bad arguments', async (t) => {
  const srv = await setup();
  t.after(() => srv.close());
  const svg = await (await fetch(`${srv.url}/badges/stripe/uptime.svg?days=30`)).text();
  assert.match(svg, /aria-label="stripe uptime 30d: (\d+\.\d\d)%"/);
  const pct = Number(/uptime 30d: ([\d.]+)%/.exec(svg)?.[1]);
  assert.ok(pct > 99 && pct < 100, String(pct));
  const unknown = await fetch(`${srv.url}/badges/nobody/uptime.svg`);
  assert.equal(unknown.status, 404);
  assert.match(await unknown.text(), /nobody uptime 30d: no data/);
  assert.equal((await fetch(`${srv.url}/badges/stripe/uptime.svg?days=365`)).status, 400);
  assert.equal((await fetch(`${srv.url}/badges/nobody/state.svg`)).status, 404);
});

test('in Chromium: each badge is well-formed SVG, draws as an image, and shows the hostile name as text', async (t) => {
  const srv = await setup();
  t.after(() => srv.close());
  const embedder = await startEmbeddingPage();
  t.after(() => embedder.close());
  const page = await (await launchChromium(t)).newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('dialog', (d) => { errors.push(`dialog: ${d.message()}`); void d.dismiss(); });
  for (const path of ['/badges/stripe/state.svg', '/badges/evil/state.svg', '/badges/stripe/uptime.svg?days=30', '/badges/evil/uptime.svg?days=7']) {
    // Opened on its own, Chromium parses the badge as XML: a malformed one becomes a parsererror page.
    await page.goto(srv.url + path);
    // (A string expression: this project's TypeScript has no DOM typings.)
    const doc = await page.evaluate(`(() => { const r = document.documentElement; return { root: r.localName, ns: r.namespaceURI, parseErrors: document.getElementsByTagName('parsererror').length, scripts: document.getElementsByTagName('script').length, label: r.getAttribute('aria-label'), text: r.textContent }; })()`) as { root: string; ns: string; parseErrors: number; scripts: number; label: string | null; text: string | null };
    assert.deepEqual([doc.root, doc.ns, doc.parseErrors, doc.scripts], ['svg', 'http://www.w3.org/2000/svg', 0, 0], path);
    if (path.includes('evil')) {
      assert.match(doc.label ?? '', /^<script>alert\(1\)<\/script> & "co"/, 'the name comes back as the literal text');
      assert.match(doc.text ?? '', /<script>alert\(1\)<\/script> & "co"/);
    }
    // Embedded as a README would embed it: an <img> that loads and has the badge's size.
    await page.goto(`${embedder.url}/?src=${encodeURIComponent(srv.url + path)}`);
    const size = await page.evaluate(`document.querySelector('img').decode().then(() => [document.querySelector('img').naturalWidth, document.querySelector('img').naturalHeight])`) as [number, number];
    assert.equal(size[1], 20, path);
    assert.ok(size[0] > 60, `${path}: ${size[0]} px wide`);
  }
  assert.deepEqual(errors, []);
});
