// The fleet view's incidents across refreshes: a rebuilt incident keeps the stored one's id,
// opening time, timeline and notes; alerts that start firing later join its timeline once; it is
// written again only when something a refresh can change did change.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Incident } from '../../src/health/alerts/incident.js';
import { fleetIncidentChanged, fleetIncidentId, mergeFleetIncident, resolvedFleetIncident } from '../../src/fleet/fleet-incidents.js';

const T = Date.UTC(2026, 11, 4, 12, 41, 30);

function rebuilt(alerts: string[], at = T): Incident {
  return {
    id: 'fleet-payments', providerId: 'payments', severity: 'page', state: 'open', openedAt: at, resolvedAt: null,
    title: `payments: ${alerts.map((a) => a.split('|')[0]).join(', ')} firing in Prometheus`, attribution: null, alerts,
    timeline: alerts.map((a) => ({ at, kind: 'alert_firing' as const, text: a.split('|')[0] })), notes: [],
  };
}

test('an incident first seen takes an id from its provider and opening time', () => {
  assert.equal(fleetIncidentId(rebuilt(['Burn|availability|1h'])), 'fleet-payments-20261204124130');
  const first = mergeFleetIncident(rebuilt(['Burn|availability|1h']), undefined, 'fleet-payments-20261204124130', T);
  assert.equal(first.id, 'fleet-payments-20261204124130');
  assert.equal(fleetIncidentChanged(first, undefined), true);
});

test('a refresh keeps notes and timeline; an alert that starts firing later joins the timeline once', () => {
  const id = 'fleet-payments-20261204124130';
  const stored: Incident = { ...mergeFleetIncident(rebuilt(['Burn|availability|1h']), undefined, id, T), notes: [{ at: T + 60_000, author: 'operator', text: 'old NAT' }] };
  stored.timeline.push({ at: T + 60_000, kind: 'note', text: 'operator: old NAT' });
  // The same alert again, rebuilt with the time Prometheus reports: nothing to write.
  const same = mergeFleetIncident(rebuilt(['Burn|availability|1h'], T + 120_000), stored, id, T + 120_000);
  assert.deepEqual(same.notes, stored.notes);
  assert.deepEqual(same.timeline, stored.timeline);
  assert.equal(same.openedAt, T);
  assert.equal(fleetIncidentChanged(same, stored), false);
  // A second alert fires: it is added at the refresh that saw it, after the note.
  const now = T + 180_000;
  const more = mergeFleetIncident(rebuilt(['Burn|availability|1h', 'CheckFailing||shared-api'], now), stored, id, now);
  assert.deepEqual(more.timeline.map((e) => [e.kind, e.text, e.at]), [['alert_firing', 'Burn', T], ['note', 'operator: old NAT', T + 60_000], ['alert_firing', 'CheckFailing', now]]);
  assert.equal(fleetIncidentChanged(more, stored), true);
  // The next refresh adds nothing more.
  assert.deepEqual(mergeFleetIncident(rebuilt(['Burn|availability|1h', 'CheckFailing||shared-api'], now + 60_000), more, id, now + 60_000).timeline, more.timeline);
});

test('an incident whose alerts stopped firing is resolved with its notes', () => {
  const stored: Incident = { ...mergeFleetIncident(rebuilt(['Burn|availability|1h']), undefined, 'x', T), notes: [{ at: T, author: 'operator', text: 'n' }] };
  const done = resolvedFleetIncident(stored, T + 600_000);
  assert.equal(done.state, 'resolved');
  assert.equal(done.resolvedAt, T + 600_000);
  assert.deepEqual(done.notes, stored.notes);
  assert.equal(done.timeline.at(-1)?.kind, 'resolved');
});
