// Incident history: /incidents (90 days, newest first, timeline, notes, attribution, duration;
// per provider and per day) and the Atom feeds /incidents.atom and /providers/{id}/incidents.atom;
// uptime bars link a day with incidents to that day's history. Names are escaped everywhere.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { incident, snapshot } from '../helpers/status-snapshot.js';
import { startTestServer } from '../helpers/status-server.js';

const NOW = Date.parse('2026-11-23T12:00:00Z');
const DAY = 86_400_000;

async function setup() {
  const srv = await startTestServer({ now: NOW });
  await srv.store.putSnapshot(snapshot([{ id: 'stripe' }, { id: 'twilio', state: 'major_outage' }], NOW));
  const old = { ...incident('inc-old', 'stripe', NOW - 10 * DAY, 'Connect timeouts to <script>x</script>'), state: 'resolved' as const, resolvedAt: NOW - 10 * DAY + 3_600_000 + 300_000 };
  old.timeline = [...old.timeline, { at: old.resolvedAt, kind: 'resolved' as const, text: 'recovered' }];
  await srv.store.putIncident(old);
  await srv.store.putIncident(incident('inc-new', 'twilio', NOW));
  await srv.store.putIncident({ ...incident('inc-ancient', 'stripe', NOW - 120 * DAY), state: 'resolved', resolvedAt: NOW - 119 * DAY });
  await srv.store.addIncidentNote('inc-new', { at: NOW - 60_000, author: 'oncall', text: 'twilio status page says degraded SMS' });
  return srv;
}

test('/incidents: the last 90 days, newest first, with duration, attribution, timeline and notes', async (t) => {
  const srv = await setup();
  t.after(() => srv.close());
  const page = await (await fetch(`${srv.url}/incidents`)).text();
  assert.ok(page.indexOf('id="incident-inc-new"') < page.indexOf('id="incident-inc-old"'), 'newest first');
  assert.doesNotMatch(page, /inc-ancient/, 'older than 90 days');
  assert.match(page, /Connect timeouts to &lt;script&gt;x&lt;\/script&gt; <span class="muted">resolved · page · 1 h 15 min · inc-old/);
  assert.match(page, /open · page · 10 min so far · inc-new/);
  assert.match(page, /Attribution: <em>provider<\/em> \(twilio\)/);
  assert.match(page, /twilio status page says degraded SMS/);
  assert.match(page, /<link rel="alternate" type="application\/atom\+xml" title="Incidents" href="\/incidents.atom">/);
  const one = await (await fetch(`${srv.url}/incidents?provider=stripe`)).text();
  assert.match(one, /<h1>Incidents of <a href="\/providers\/stripe">stripe<\/a><\/h1>/);
  assert.doesNotMatch(one, /inc-new/);
  const day = new Date(NOW - 10 * DAY).toISOString().slice(0, 10);
  const onDay = await (await fetch(`${srv.url}/incidents?day=${day}`)).text();
  assert.match(onDay, /inc-old/);
  assert.doesNotMatch(onDay, /inc-new/);
  assert.equal((await fetch(`${srv.url}/incidents?day=yesterday`)).status, 400);
});

test('/incidents.atom: an Atom feed with one entry per incident, escaped; per provider too', async (t) => {
  const srv = await setup();
  t.after(() => srv.close());
  const r = await fetch(`${srv.url}/incidents.atom`);
  assert.equal(r.headers.get('content-type'), 'application/atom+xml; charset=utf-8');
  const xml = await r.text();
  assert.match(xml, /^<\?xml version="1.0" encoding="utf-8"\?>\n<feed xmlns="http:\/\/www.w3.org\/2005\/Atom">/);
  assert.equal((xml.match(/<entry>/g) ?? []).length, 2);
  assert.match(xml, /<title type="text">\[resolved\] Connect timeouts to &lt;script&gt;x&lt;\/script&gt; \(stripe\)<\/title>/);
  assert.match(xml, /<link rel="self" type="application\/atom\+xml" href="http:\/\/127\.0\.0\.1:\d+\/incidents.atom"\/>/);
  assert.match(xml, /<id>urn:egresswatch:incident:inc-new<\/id>/);
  assert.match(xml, /<updated>2026-11-23T11:59:00.000Z<\/updated>/, 'the note updated the open incident');
  assert.doesNotMatch(xml, /<script/);
  // Well-formed: every element opened is closed.
  const opened = [...xml.matchAll(/<([a-z]+)(?:\s[^>]*)?(?<!\/)>/g)].map((m) => m[1]);
  const closed = [...xml.matchAll(/<\/([a-z]+)>/g)].map((m) => m[1]);
  assert.deepEqual(opened.sort(), closed.sort());
  const one = await (await fetch(`${srv.url}/providers/twilio/incidents.atom`)).text();
  assert.equal((one.match(/<entry>/g) ?? []).length, 1);
  assert.match(one, /<title type="text">egresswatch incidents: twilio<\/title>/);
});

test("uptime bars link a day with incidents to that day's history", async (t) => {
  const srv = await setup();
  t.after(() => srv.close());
  const home = await (await fetch(`${srv.url}/`)).text();
  assert.match(home, /<a href="\/incidents\?provider=stripe&amp;day=\d{4}-\d\d-\d\d"><rect /);
});
