// The pages in Debian's Chromium (playwright-core, headless, never a downloaded browser): they
// load without console errors, the latency chart renders, and hostile names captured from the
// network are shown as text and never run. Screenshots go to test-output/server/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium } from '../helpers/chromium.js';
import { testOutputDir } from '../helpers/paths.js';
import { dnsFinding, dnsSnapshot, incident, resolver, snapshot } from '../helpers/status-snapshot.js';
import { startTestServer } from '../helpers/status-server.js';

const XSS = `<script>window.__pwned=1;alert("x")</script><img src=x onerror="window.__pwned=2">`;


/** Every console error, page error and dialog of a page: any of them fails the test. */
function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') problems.push(`console ${msg.type()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  return problems;
}

test('status, provider and DNS pages in Chromium: no console errors, chart drawn, hostile names shown as text', async (t) => {
  const now = Date.now();
  const providerId = `evil${XSS}`;
  const srv = await startTestServer({
    now,
    dns: dnsSnapshot([resolver('10.0.0.2'), resolver('10.0.0.3', { timeouts: 300 })], [dnsFinding({ name: `${XSS}.example.com`, summary: `SERVFAIL from upstream for ${XSS}`, kind: 'upstream_failure', severity: 'critical' }), dnsFinding()]),
  });
  t.after(() => srv.close());
  const snap = snapshot([
    { id: 'stripe', name: 'Stripe', endpoints: 3 },
    { id: 'aws', name: 'AWS', state: 'partial_outage' },
    { id: providerId, name: `Provider ${XSS}`, endpointNames: [`${XSS}:443`], processes: [XSS] },
    { id: 'quiet', name: 'Quiet', endpoints: 0 },
  ], now);
  // A provider without data: no call yet, no day with data.
  const quiet = snap.providers.find((p) => p.id === 'quiet')!;
  Object.assign(quiet, { lastSeen: null, uptime90dPct: null, errorBudgetRemaining: null, errorBudgetSpent: null, total: 0, failed: 0, slos: [], latency: [] });
  quiet.uptimeDays = quiet.uptimeDays.map((d) => ({ ...d, uptimePct: null, total: 0, failed: 0, p50Ms: null, p99Ms: null, incidents: 0, maintenance: false }));
  await srv.store.putSnapshot(snap);
  await srv.store.putIncident(incident('inc-1', 'aws', now));

  const context = await launchChromium(t);
  const page = await context.newPage();
  const problems = watch(page);
  const out = testOutputDir('server');

  await page.goto(`${srv.url}/`);
  assert.equal(await page.locator('#overall h1').textContent(), 'Overall: Partial outage');
  assert.equal(await page.locator('tr[data-provider] ').count(), 4);
  const evilRow = page.locator('tr[data-provider] a', { hasText: 'Provider <script>' });
  assert.equal(await evilRow.textContent(), `Provider ${XSS}`, 'the name is shown verbatim, as text');
  assert.equal(await page.locator('svg.bars rect title').first().textContent().then((s) => /^\d{4}-\d\d-\d\d: /.test(s ?? '')), true, 'bars carry hover figures');
  assert.equal(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned), undefined);
  // A spent error budget reads "exhausted" and how many times over, never a negative percentage.
  assert.match((await page.locator('tr[data-provider="aws"]').textContent()) ?? '', /exhausted \(spent 1\.1×\)/);
  assert.doesNotMatch((await page.locator('body').textContent()) ?? '', /-\d+(\.\d+)?\s?%/);
  // "No data" is said consistently: no uptime figure, no green bar, no budget.
  const quietRow = page.locator('tr[data-provider="quiet"]');
  assert.match((await quietRow.textContent()) ?? '', /No data/);
  assert.doesNotMatch((await quietRow.textContent()) ?? '', /over 90 days|100\.0%/);
  assert.equal(await quietRow.locator('rect.b-ok').count(), 0);
  await page.screenshot({ path: join(out, 'status-page.png'), fullPage: true });

  await page.goto(`${srv.url}/providers/stripe`);
  await page.locator('.chart[data-rendered="true"] canvas').first().waitFor({ timeout: 10_000 });
  const box = await page.locator('.chart canvas').first().boundingBox();
  assert.ok(box && box.width > 300 && box.height > 100, `the chart canvas has a size: ${JSON.stringify(box)}`);
  assert.equal(await page.locator('.chart .u-legend th, .chart .u-legend .u-label').filter({ hasText: 'First byte' }).count() > 0, true, 'the legend names the phases');
  // Without hovering, the legend shows each phase's latest value.
  assert.match((await page.locator('.chart .u-legend').first().textContent()) ?? '', /First byte:?\s*[\d.]+ ms/);
  await page.screenshot({ path: join(out, 'provider-page.png'), fullPage: true });

  await page.goto(`${srv.url}/providers/${encodeURIComponent(providerId)}`);
  await page.locator('.chart[data-rendered="true"]').waitFor({ timeout: 10_000 });
  assert.equal(await page.locator('h1').textContent(), `Provider ${XSS}`);
  assert.ok((await page.locator('#affected').textContent())?.includes(XSS), 'hostile process name shown as text');

  await page.goto(`${srv.url}/dns`);
  const evilFinding = page.locator('article.finding[data-kind="upstream_failure"]');
  assert.ok((await evilFinding.locator('h3').textContent())?.startsWith(`SERVFAIL from upstream for ${XSS}`));
  assert.equal(await evilFinding.locator('.qname').textContent(), `${XSS}.example.com`);
  assert.equal(await page.locator('#resolvers tr[data-resolver]').count(), 2);
  await page.screenshot({ path: join(out, 'dns-page.png'), fullPage: true });

  assert.equal(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned), undefined, 'no injected script ran');
  assert.deepEqual(problems, []);
});

test('the status page works without JavaScript', async (t) => {
  const now = Date.now();
  const srv = await startTestServer({ now });
  t.after(() => srv.close());
  await srv.store.putSnapshot(snapshot([{ id: 'stripe', name: 'Stripe' }], now));
  const context = await launchChromium(t);
  const page = await context.newPage();
  await page.route('**/*.js', (route) => route.abort());
  await page.goto(`${srv.url}/providers/stripe`);
  assert.equal(await page.locator('h1').textContent(), 'Stripe');
  assert.ok((await page.locator('#endpoints tbody tr').count()) === 2);
  assert.equal(await page.locator('.chart canvas').count(), 0, 'no chart without scripts, the tables are there');
});

test('every page at a 390 px phone width and at 1,400 px: the page never scrolls sideways', async (t) => {
  const now = Date.now();
  const srv = await startTestServer({ now, dns: dnsSnapshot([resolver('10.0.0.2'), resolver('10.0.0.3', { timeouts: 300 })], [dnsFinding()]), overview: { groups: [{ name: 'Payments', providers: ['stripe'] }], hide: [] } });
  t.after(() => srv.close());
  await srv.store.putSnapshot(snapshot([
    { id: 'stripe', name: 'Stripe', endpoints: 3 },
    { id: 'aws', name: 'AWS', state: 'partial_outage' },
    { id: 'long', name: 'a-very-long-provider-name-without-any-space-to-break-it.example.com' },
  ], now));
  await srv.store.putIncident(incident('inc-1', 'aws', now));
  const context = await launchChromium(t);
  const out = testOutputDir('server');
  for (const width of [390, 1400]) {
    const page = await context.newPage();
    await page.setViewportSize({ width, height: 900 });
    const problems = watch(page);
    for (const path of ['/', '/providers/stripe', '/dns', '/incidents']) {
      await page.goto(`${srv.url}${path}`);
      if (path.startsWith('/providers/')) await page.locator('.chart[data-rendered="true"]').first().waitFor({ timeout: 10_000 });
      const { scroll, inner } = await page.evaluate(() => {
        const g = globalThis as unknown as { document: { documentElement: { scrollWidth: number } }; innerWidth: number };
        return { scroll: g.document.documentElement.scrollWidth, inner: g.innerWidth };
      });
      assert.ok(scroll <= inner, `${path} at ${width} px is ${scroll} px wide`);
      await page.screenshot({ path: join(out, `${path === '/' ? 'status' : path.split('/')[1]}-${width}.png`), fullPage: true });
    }
    assert.deepEqual(problems, []);
    await page.close();
  }
});
