// Child process for the kill -9 test: merges one call per iteration into every level, prints each committed count.
import { writeSync } from 'node:fs';
import { LowdbStore } from '../../src/store/lowdb-store.js';
import type { Bucket, RollupLevel } from '../../src/health/rollups/bucket.js';

const dir = process.argv[2];
const T0 = Date.UTC(2026, 10, 23, 0, 0, 0);
const store = new LowdbStore({ dir });
const report = await store.open();
if (report.notices.length > 0) writeSync(2, `${report.notices.join('\n')}\n`);
writeSync(1, 'ready\n');
for (let i = 1; ; i++) {
  // Spread writes over several shards of each level so renames of different files interleave.
  const minute = T0 + (i % 30) * 60_000;
  const levels: Array<[RollupLevel, number]> = [['minute', minute], ['hour', T0 + (i % 12) * 3_600_000], ['day', T0 - (i % 3) * 86_400_000]];
  const buckets: Bucket[] = levels.map(([level, start]) => ({
    key: `endpoint|p1|p1|api.example:443|${i % 50}`, level, start, counters: { tcpAttempts: 1 }, latency: {},
  }));
  await store.mergeBuckets(buckets);
  if (i % 7 === 0) {
    await store.putIncident({
      id: `inc-${i}`, providerId: 'p1', title: 't', severity: 'page', state: 'open', openedAt: i, resolvedAt: null,
      attribution: null, alerts: [], timeline: [], notes: [],
    });
  }
  writeSync(1, `${i}\n`);
}
