// Text from the network reaches pages only as text: the escaping function, the template, the
// inline JSON for charts, and every page with hostile provider, endpoint, host, process, DNS
// name, finding and resolver strings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeHtml, html, jsonForScript } from '../../src/server/html.js';
import { dnsFinding, dnsSnapshot, incident, resolver, snapshot } from '../helpers/status-snapshot.js';
import { startTestServer } from '../helpers/status-server.js';

const EVIL = `<script>alert("x")</script><img src=x onerror=alert(1)>'"&\``;

test('escapeHtml escapes every character that can end text or an attribute', () => {
  assert.equal(escapeHtml(EVIL), '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;&#39;&quot;&amp;&#96;');
  assert.equal(escapeHtml('plain.example.com'), 'plain.example.com');
  assert.equal(html`<p title="${EVIL}">${EVIL}</p>`.text, `<p title="${escapeHtml(EVIL)}">${escapeHtml(EVIL)}</p>`);
  assert.equal(html`<ul>${['<a>', html`<li>${'<b>'}</li>`]}</ul>`.text, '<ul>&lt;a&gt;<li>&lt;b&gt;</li></ul>');
  assert.equal(jsonForScript({ name: '</script><!--' }).text, '{"name":"\\u003c/script\\u003e\\u003c!--"}');
});

test('hostile strings in every page are escaped, never markup', async (t) => {
  const now = Date.now();
  const srv = await startTestServer({
    now,
    dns: dnsSnapshot([resolver(`10.0.0.9${EVIL}`)], [dnsFinding({ name: `${EVIL}.example.com`, summary: `upstream failure for ${EVIL}`, processes: [EVIL], evidence: { [EVIL]: EVIL }, mitigations: [EVIL] })]),
  });
  t.after(() => srv.close());
  const snap = snapshot([{ id: `p${EVIL}`, name: `Provider ${EVIL}`, endpointNames: [`${EVIL}:443`], hosts: [EVIL], processes: [EVIL], state: 'degraded' }], now);
  await srv.store.putSnapshot(snap);
  await srv.store.putIncident(incident('inc-x', `p${EVIL}`, now, `Incident ${EVIL}`));
  const pages = [`${srv.url}/`, `${srv.url}/providers/${encodeURIComponent(`p${EVIL}`)}`, `${srv.url}/dns`];
  for (const url of pages) {
    const res = await fetch(url);
    assert.equal(res.status, 200, url);
    const text = await res.text();
    assert.doesNotMatch(text, /<script>alert/, url);
    assert.doesNotMatch(text, /<img src=x/, url);
    assert.match(text, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;/, url);
  }
});

test('control bytes from the network (ESC, BEL, NUL, CR, bidi overrides) reach the page and /metrics as visible escapes', async (t) => {
  const name = 'bad\x1b[31m\x07\x00\r\u202ename';
  assert.equal(escapeHtml(name), 'bad\\x1b[31m\\x07\\x00\\x0d\\u202ename');
  const now = Date.now();
  const srv = await startTestServer({ now });
  t.after(() => srv.close());
  await srv.store.putSnapshot(snapshot([{ id: name, name }], now));
  const page = await (await fetch(`${srv.url}/`)).text();
  const metrics = await (await fetch(`${srv.url}/metrics`)).text();
  // In the exposition format a label value's backslash is itself escaped: "\\x1b" reads back as "\x1b".
  for (const [what, text, shown] of [['page', page, 'bad\\x1b[31m\\x07\\x00\\x0d\\u202ename'], ['metrics', metrics, 'bad\\\\x1b[31m\\\\x07\\\\x00\\\\x0d\\\\u202ename']] as const) {
    assert.doesNotMatch(text, /[\x00\x07\x1b\u202e]/, `${what}: no raw control bytes`);
    assert.ok(text.includes(shown), `${what}: shown as escapes`);
  }
  assert.doesNotMatch(metrics, /\r/);
});
