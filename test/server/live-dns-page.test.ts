// End to end, as root: `egresswatch run` captures a real DNS query on loopback for a name made of
// HTML and script text, and the DNS page shows that name as text: escaped in the HTML, inert in
// Chromium (no dialog, no injected script), while the same page still works.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import * as dnsPacket from 'dns-packet';
import { launchChromium } from '../helpers/chromium.js';
import { escapeHtml } from '../../src/server/html.js';
import { startDnsTestServer } from '../helpers/dns-test-server.js';
import { isRoot, repoRoot, testOutputDir } from '../helpers/paths.js';

const EVIL_NAME = '<img src=x onerror=alert(1)>.<script>alert(2)</script>.ewsrv.test';
/** How the DNS analysis presents it (RFC 1035 presentation format: a space is \\032). */
const SHOWN_NAME = EVIL_NAME.toLowerCase().replace(/ /g, '\\032');

async function query(port: number, name: string): Promise<void> {
  const sock = createSocket('udp4');
  await new Promise<void>((resolve) => {
    sock.once('message', () => resolve());
    setTimeout(resolve, 1000);
    sock.send(dnsPacket.encode({ type: 'query', id: Math.floor(Math.random() * 65535), flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name }] }), port, '127.0.0.1');
  });
  sock.close();
}

test('a captured DNS name made of HTML and script is shown as text on the DNS page', { skip: !isRoot && 'live capture needs root' }, async (t) => {
  const dns = await startDnsTestServer({ [EVIL_NAME.toLowerCase()]: { rcode: 'SERVFAIL' } });
  t.after(() => dns.close());
  const dir = mkdtempSync(join(tmpdir(), 'ewsrv-e2e-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const child = spawn(process.execPath, [join(repoRoot, 'bin', 'egresswatch.js'), 'run', '--listen', '127.0.0.1:0', '--data', join(dir, 'data'), '--log-format', 'json', '--dns-port', String(dns.port), '--interface', 'lo'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true' } });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  t.after(() => child.kill('SIGKILL'));
  const log: string[] = [];
  let url = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`capture not live in 20 s: ${log.join('\n')}`)), 20_000);
    createInterface({ input: child.stderr }).on('line', (line) => {
      log.push(line);
      const entry = JSON.parse(line) as { msg: string; url?: string };
      if (entry.url) url = entry.url;
      if (entry.msg.startsWith('capture: live')) {
        clearTimeout(timer);
        resolve();
      }
      if (entry.msg.startsWith('capture unavailable')) reject(new Error(entry.msg));
    });
  });

  for (let i = 0; i < 3; i++) await query(dns.port, EVIL_NAME);
  assert.ok(dns.queries.length >= 3, 'the test server answered');
  let page = '';
  for (let i = 0; i < 50 && !page.includes(escapeHtml(SHOWN_NAME)); i++) {
    await new Promise((r) => setTimeout(r, 200));
    page = await (await fetch(`${url}dns`)).text();
  }
  assert.ok(page.includes(escapeHtml(SHOWN_NAME)), `the captured name is on the DNS page, escaped; page resolvers: ${page.match(/<tr data-resolver="[^"]*"/g)}`);
  assert.ok(!page.includes('<img src=x'), 'never as markup');
  assert.ok(!page.includes('<script>alert(2)'), 'never as markup');
  assert.match(page, new RegExp(`data-resolver="127\\.0\\.0\\.1(:${dns.port})?"`), 'the loopback resolver is listed');

  const context = await launchChromium(t);
  const tab = await context.newPage();
  const problems: string[] = [];
  tab.on('dialog', (d) => {
    problems.push(`dialog ${d.message()}`);
    void d.dismiss();
  });
  tab.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  tab.on('pageerror', (e) => problems.push(e.message));
  await tab.goto(`${url}dns`);
  const shown = await tab.locator('.qname').allTextContents();
  assert.ok(shown.includes(SHOWN_NAME), `shown as text: ${JSON.stringify(shown)}`);
  assert.equal(await tab.locator('main img').count(), 0, 'no element was created from the name');
  await tab.screenshot({ path: join(testOutputDir('server'), 'live-dns-page.png'), fullPage: true });
  assert.deepEqual(problems, []);
  child.kill('SIGTERM');
  assert.equal(await exited, 0);
});
