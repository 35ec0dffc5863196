// The operations that change state: off (403) without a configured token, 401 without or with a
// wrong bearer token (before any id lookup), and with the token they add notes, maintenance
// windows and silences that the read API and the pages then show.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { incident, snapshot } from '../helpers/status-snapshot.js';
import { startTestServer } from '../helpers/status-server.js';

const NOW = Date.parse('2026-11-23T12:30:00Z');
const TOKEN = 's3cret-token';

async function setup(token?: string) {
  const srv = await startTestServer({ token, now: NOW });
  await srv.store.putSnapshot(snapshot([{ id: 'stripe' }], NOW));
  await srv.store.putIncident(incident('inc-1', 'stripe', NOW));
  return srv;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;
const json = async (r: Response): Promise<Json> => (await r.json()) as Json;

function send(url: string, method: string, body: unknown, token?: string) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  return fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

test('without a configured token every write is 403 with a message saying how to enable it', async (t) => {
  const srv = await setup();
  t.after(() => srv.close());
  for (const [method, path] of [['POST', '/api/v1/incidents/inc-1/notes'], ['POST', '/api/v1/maintenance'], ['DELETE', '/api/v1/maintenance/x'], ['POST', '/api/v1/silences'], ['DELETE', '/api/v1/silences/x']]) {
    const r = await send(`${srv.url}${path}`, method, { text: 'x' }, 'anything');
    assert.equal(r.status, 403, `${method} ${path}`);
    const body = await json(r);
    assert.equal(body.error, 'writes_disabled');
    assert.match(body.message, /set server\.token/);
  }
  assert.equal((await srv.store.getIncident('inc-1'))!.notes.length, 0);
});

test('with a token configured: 401 without it, with a wrong one, or with another scheme', async (t) => {
  const srv = await setup(TOKEN);
  t.after(() => srv.close());
  const none = await send(`${srv.url}/api/v1/incidents/inc-1/notes`, 'POST', { text: 'x' });
  assert.equal(none.status, 401);
  assert.equal(none.headers.get('www-authenticate'), 'Bearer realm="egresswatch"');
  assert.equal((await send(`${srv.url}/api/v1/incidents/inc-1/notes`, 'POST', { text: 'x' }, 'wrong')).status, 401);
  const basic = await fetch(`${srv.url}/api/v1/maintenance`, { method: 'POST', headers: { authorization: 'Basic dXNlcjpwYXNz', 'content-type': 'application/json' }, body: '{}' });
  assert.equal(basic.status, 401);
  // An unknown id without the token is 401 too: ids are not revealed to anonymous callers.
  assert.equal((await send(`${srv.url}/api/v1/incidents/nope/notes`, 'POST', { text: 'x' })).status, 401);
  assert.equal((await srv.store.getIncident('inc-1'))!.notes.length, 0);
});

test('incident notes: added with the token, shown in the API and on the provider page (escaped); 404 for unknown incidents', async (t) => {
  const srv = await setup(TOKEN);
  t.after(() => srv.close());
  const r = await send(`${srv.url}/api/v1/incidents/inc-1/notes`, 'POST', { text: 'Opened a ticket <b>#123</b> with the provider', author: 'alice' }, TOKEN);
  assert.equal(r.status, 201);
  const updated = await json(r);
  assert.equal(updated.notes[0].text, 'Opened a ticket <b>#123</b> with the provider');
  assert.equal(updated.notes[0].author, 'alice');
  const page = await (await fetch(`${srv.url}/providers/stripe`)).text();
  assert.ok(page.includes('Opened a ticket &lt;b&gt;#123&lt;/b&gt; with the provider'), 'the note is on the page, escaped');
  assert.ok(!page.includes('<b>#123</b>'));
  assert.equal((await send(`${srv.url}/api/v1/incidents/nope/notes`, 'POST', { text: 'x' }, TOKEN)).status, 404);
  const empty = await send(`${srv.url}/api/v1/incidents/inc-1/notes`, 'POST', { text: '' }, TOKEN);
  assert.equal(empty.status, 400);
  assert.equal((await json(empty)).message, '"text" must be a non-empty string');
});

test('maintenance windows: create, list, show on the status page, delete; bad bodies are 400 with the field named', async (t) => {
  const srv = await setup(TOKEN);
  t.after(() => srv.close());
  const r = await send(`${srv.url}/api/v1/maintenance`, 'POST', { scope: 'stripe', startsAt: '2026-11-23T12:00:00Z', endsAt: '2026-11-23T14:00:00Z', reason: 'provider upgrade' }, TOKEN);
  assert.equal(r.status, 201);
  const w = await json(r);
  assert.match(w.id, /^mw-[0-9a-f]{12}$/);
  assert.equal(w.startsAt, '2026-11-23T12:00:00.000Z');
  const list = await json(await fetch(`${srv.url}/api/v1/maintenance`));
  assert.deepEqual(list.maintenance.map((x: { id: string }) => x.id), [w.id]);
  const home = await (await fetch(`${srv.url}/`)).text();
  assert.match(home, /provider upgrade/);
  assert.match(home, /state-maintenance/, 'the provider shows as under maintenance');
  assert.equal((await send(`${srv.url}/api/v1/maintenance/${w.id}`, 'DELETE', undefined, TOKEN)).status, 204);
  assert.equal((await send(`${srv.url}/api/v1/maintenance/${w.id}`, 'DELETE', undefined, TOKEN)).status, 404);
  const cases: [unknown, RegExp][] = [
    [{ reason: 'x' }, /"endsAt" is required/],
    [{ reason: 'x', endsAt: 'tomorrow' }, /"endsAt" must be an ISO-8601 time/],
    [{ reason: 'x', startsAt: '2026-11-23T14:00:00Z', endsAt: '2026-11-23T13:00:00Z' }, /"endsAt" must be after "startsAt"/],
    [{ endsAt: '2026-11-23T13:00:00Z' }, /"reason" is required/],
    [{ reason: 'x', endsAt: 8.64e15 }, /"endsAt" must be within a year of now, got \+275760-09-13T00:00:00\.000Z/],
    [[1, 2], /must be a JSON object/],
  ];
  for (const [body, message] of cases) {
    const bad = await send(`${srv.url}/api/v1/maintenance`, 'POST', body, TOKEN);
    assert.equal(bad.status, 400);
    assert.match((await json(bad)).message, message);
  }
  const notJson = await fetch(`${srv.url}/api/v1/maintenance`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: '{oops' });
  assert.equal(notJson.status, 400);
  const tooBig = await send(`${srv.url}/api/v1/maintenance`, 'POST', { reason: 'x'.repeat(70_000) }, TOKEN);
  assert.equal(tooBig.status, 413);
});

test('silences: create, list, delete', async (t) => {
  const srv = await setup(TOKEN);
  t.after(() => srv.close());
  const r = await send(`${srv.url}/api/v1/silences`, 'POST', { providerId: 'stripe', alertName: 'LatencyAnomaly', endsAt: NOW + 3_600_000, comment: 'known slow batch' }, TOKEN);
  assert.equal(r.status, 201);
  const s = await json(r);
  assert.equal(s.startsAt, new Date(NOW).toISOString(), 'starts now by default');
  assert.equal(s.endpointId, undefined);
  assert.deepEqual((await srv.store.listSilences()).map((x) => x.id), [s.id]);
  const list = await json(await fetch(`${srv.url}/api/v1/silences`));
  assert.equal(list.silences[0].comment, 'known slow batch');
  assert.equal((await send(`${srv.url}/api/v1/silences/${s.id}`, 'DELETE', undefined, TOKEN)).status, 204);
  assert.deepEqual(await srv.store.listSilences(), []);
});
