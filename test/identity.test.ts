// What cloud metadata adds to the host identity: only what the configuration left unset, and
// never a value that cannot be a label.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { learnIdentity } from '../src/identity.js';

test('metadata fills the zone and cluster the configuration left unset', () => {
  assert.deepEqual(learnIdentity({ host: 'a', cluster: null, zone: null }, { zone: 'eu-west-1c', cluster: 'orders' }), { learnt: { zone: 'eu-west-1c', cluster: 'orders' }, rejected: [] });
  assert.deepEqual(learnIdentity({ host: 'a', cluster: null, zone: 'rack-7' }, { zone: 'eu-west-1c', cluster: 'orders' }), { learnt: { cluster: 'orders' }, rejected: [] });
  assert.deepEqual(learnIdentity({ host: 'a', cluster: null, zone: null }, {}), { learnt: {}, rejected: [] });
});

test('a tag value that cannot be a label is left out, and said why', () => {
  assert.deepEqual(learnIdentity({ host: 'a', cluster: null, zone: null }, { zone: 'eu-west-1c', cluster: 'orders prod' }), {
    learnt: { zone: 'eu-west-1c' },
    rejected: ['the cluster must be printable ASCII without spaces, left out: "orders prod"'],
  });
});
