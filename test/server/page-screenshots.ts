// Refreshes the screenshots of the pages in docs/screenshots (run after changing a page:
// node dist/test/server/page-screenshots.js docs/screenshots): each page at a 390 px phone width
// and at 1,400 px, from sample data, in Debian's Chromium.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../helpers/chromium.js';
import { dnsFinding, dnsSnapshot, incident, resolver, snapshot } from '../helpers/status-snapshot.js';
import { startTestServer } from '../helpers/status-server.js';

const dir = resolve(process.argv[2] ?? 'docs/screenshots');
mkdirSync(dir, { recursive: true });
const now = Date.now();
const srv = await startTestServer({
  now,
  dns: dnsSnapshot([resolver('10.96.0.10'), resolver('10.0.0.2', { timeouts: 300 })], [dnsFinding()]),
  overview: { groups: [{ name: 'Payments', providers: ['stripe', 'adyen'] }, { name: 'Infrastructure', providers: ['aws-rds', 'aws-s3'] }], hide: [] },
});
await srv.store.putSnapshot(snapshot([
  { id: 'stripe', name: 'Stripe', endpoints: 3 },
  { id: 'adyen', name: 'Adyen' },
  { id: 'aws-rds', name: 'AWS RDS eu-west-1', state: 'partial_outage' },
  { id: 'aws-s3', name: 'AWS S3' },
  { id: 'twilio', name: 'Twilio', state: 'degraded' },
], now));
await srv.store.putIncident(incident('inc-1', 'aws-rds', now, 'Connect timeouts to AWS RDS eu-west-1'));
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
for (const width of [390, 1400]) {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  for (const [name, path] of [['status', '/'], ['provider', '/providers/aws-rds'], ['dns', '/dns'], ['incidents', '/incidents']]) {
    await page.goto(`${srv.url}${path}`);
    if (name === 'provider') await page.locator('.chart[data-rendered="true"]').first().waitFor({ timeout: 10_000 });
    await page.screenshot({ path: join(dir, `${name}-${width}.jpg`), type: 'jpeg', quality: 70, fullPage: true });
  }
  await page.close();
}
await browser.close();
await srv.close();
console.log(`screenshots in ${dir}`);
