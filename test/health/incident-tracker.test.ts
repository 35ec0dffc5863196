// An incident keeps the attribution of the alert that opened it (or of a more severe one that
// joins), so its explanation does not change with every alert that joins; the others' go into the
// timeline as evidence.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Alert } from '../../src/health/alerts/alert.js';
import { IncidentTracker } from '../../src/health/alerts/incident-tracker.js';
import { MemoryStore } from '../../src/store/memory-store.js';

function alert(fingerprint: string, severity: Alert['severity'], reason: string): Alert {
  return {
    fingerprint, name: fingerprint, severity, state: 'firing', providerId: null, endpointId: null, summary: fingerprint, labels: {}, values: {},
    attribution: { scope: 'resolver', targets: ['127.0.0.2'], reason }, startsAt: 0, endsAt: null, lastSeenAt: 0,
  };
}

test('the opening alert\'s attribution stays; a joining ticket adds evidence; a joining page of higher severity takes over', async () => {
  const store = new MemoryStore();
  await store.open();
  const tracker = new IncidentTracker(store);
  const ticket = alert('dns-refused', 'ticket', 'resolver 127.0.0.1 refused 4 of 57 queries');
  await tracker.apply([ticket], [], [ticket], 1000);
  const other = alert('dns-refused-2', 'ticket', 'another ticket');
  await tracker.apply([other], [], [ticket, other], 2000);
  let [inc] = await store.listIncidents({ state: 'open' });
  assert.equal(inc.attribution?.reason, 'resolver 127.0.0.1 refused 4 of 57 queries');
  assert.deepEqual(inc.timeline.filter((e) => e.kind === 'evidence').map((e) => e.text), ['resolver 127.0.0.1 refused 4 of 57 queries', 'another ticket']);
  const page = alert('dns-down', 'page', 'resolver 127.0.0.2 answered none of 5 queries');
  await tracker.apply([page], [], [ticket, other, page], 3000);
  [inc] = await store.listIncidents({ state: 'open' });
  assert.equal(inc.severity, 'page');
  assert.equal(inc.attribution?.reason, 'resolver 127.0.0.2 answered none of 5 queries');
});
