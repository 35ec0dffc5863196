// The collections both stores share (incidents, maintenance, silences, alert state, snapshot):
// the same answers from either store, and the lowdb store's survive a reopen, all but the snapshot.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { LowdbStore } from '../../src/store/lowdb-store.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import type { Incident } from '../../src/health/alerts/incident.js';
import type { HealthSnapshot } from '../../src/health/snapshot/health-snapshot.js';
import type { Store } from '../../src/store/store.js';

const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);

function incident(id: string, openedAt: number, state: Incident['state']): Incident {
  return {
    id, providerId: 'aws', title: id, severity: 'page', state, openedAt, resolvedAt: state === 'resolved' ? openedAt + 1 : null,
    attribution: null, alerts: [], timeline: [], notes: [],
  };
}

/** Changes every collection, then returns what the store answers about them. */
async function exercise(store: Store): Promise<unknown> {
  await store.putIncident(incident('i1', T0, 'open'));
  await store.putIncident(incident('i2', T0 + 10, 'open'));
  await store.putIncident(incident('i1', T0, 'resolved'));
  const noted = await store.addIncidentNote('i2', { at: T0 + 20, author: 'ops', text: 'looking' });
  assert.equal(noted?.timeline.at(-1)?.text, 'ops: looking');
  assert.equal(await store.addIncidentNote('nope', { at: T0, author: 'ops', text: 'x' }), undefined);
  const window = { id: 'm1', scope: 'aws', startsAt: T0, endsAt: T0 + 1, reason: 'upgrade', createdBy: 'ops', createdAt: T0 };
  await store.putMaintenance(window);
  await store.putMaintenance({ ...window, id: 'm2' });
  await store.putMaintenance({ ...window, reason: 'moved' });
  assert.equal(await store.deleteMaintenance('m2'), true);
  assert.equal(await store.deleteMaintenance('m2'), false);
  const silence = { id: 's1', providerId: 'aws', startsAt: T0, endsAt: T0 + 1, comment: 'known', createdBy: 'ops', createdAt: T0 };
  await store.putSilence(silence);
  await store.putSilence({ ...silence, id: 's2' });
  assert.equal(await store.deleteSilence('s1'), true);
  assert.equal(await store.deleteSilence('nope'), false);
  await store.putAlertState({ active: [] });
  return answers(store);
}

async function answers(store: Store): Promise<unknown> {
  return {
    incidents: await store.listIncidents(),
    open: await store.listIncidents({ state: 'open' }),
    i2: await store.getIncident('i2'),
    maintenance: await store.listMaintenance(),
    silences: await store.listSilences(),
    alertState: await store.getAlertState(),
  };
}

test('both stores answer the same after the same changes; the lowdb store keeps them across a reopen', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ew-collections-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const memory = new MemoryStore();
  await memory.open();
  const lowdb = new LowdbStore({ dir });
  await lowdb.open();
  const expected = await exercise(memory);
  assert.deepEqual(await exercise(lowdb), expected);
  await lowdb.close();
  const reopened = new LowdbStore({ dir });
  await reopened.open();
  assert.deepEqual(await answers(reopened), expected);
  await reopened.close();
});

test('the snapshot is served from memory and never written to the state file', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ew-collections-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const snapshot = {
    at: T0, overall: 'ok',
    providers: [{ id: 'aws', endpoints: [{ id: 'e1' }], phases: [], affected: [], incidents: [], maintenance: [] }],
  } as unknown as HealthSnapshot;
  for (const store of [new MemoryStore(), new LowdbStore({ dir })]) {
    await store.open();
    assert.equal(await store.getSnapshot(), undefined);
    await store.putSnapshot(snapshot);
    await store.putAlertState({ active: [] });
    assert.equal(await store.getSnapshot(), snapshot);
    assert.deepEqual((await store.listProviders()).map((p) => Object.keys(p)), [['id']]);
    assert.deepEqual((await store.getEndpoint('e1'))?.id, 'e1');
    await store.close();
  }
  assert.equal(JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')).snapshot, null);
  const reopened = new LowdbStore({ dir });
  await reopened.open();
  assert.equal(await reopened.getSnapshot(), undefined, 'a stale snapshot is never served after a restart');
  await reopened.close();
});
