// The `store:` section: where and how long the embedded store keeps pre-aggregated rollups.
//
//   store:
//     dir: ./egresswatch-data   # data directory (relative to the config file); `run --data` overrides
//     retention: {minute: 6h, hour: 35d, day: 400d}
//     flushInterval: 10s         # how often pending buckets are written (batches, never per event)
//     breakdownLimit: 20         # hosts / processes / resolvers kept per provider; the rest is "other"
//     endpointIdle: 1h           # endpoints unseen this long leave the list (their history stays)
//     maxDiscoveredProviders: 100  # providers known only by their domain; more count as "other"
//     maxEndpoints: 1000         # endpoints of all providers; more count as "<provider> / other"
//     maxEndpointsPerProvider: 200
//     memoryLimitMB: 512         # above 80 % of it, new series count as "other" and idle ones go sooner
//                                # (the JS heap is limited to 60 % of it: `run` restarts node in place with it)
import { isAbsolute, join } from 'node:path';
import { defaultStoreSettings, type StoreSettings } from '../store/store-settings.js';
import type { ConfigValue } from './config-value.js';
import { defineSection, type ConfigContext } from './section.js';

export const storeSection = defineSection({
  key: 'store',
  defaultValue: defaultStoreSettings,
  validate: (value: ConfigValue, context: ConfigContext): StoreSettings => {
    const d = defaultStoreSettings();
    const o = value.object(['dir', 'retention', 'flushInterval', 'breakdownLimit', 'endpointIdle', 'maxDiscoveredProviders', 'maxEndpoints', 'maxEndpointsPerProvider', 'memoryLimitMB']);
    const dirValue = o.optional('dir')?.string();
    const r = o.optional('retention')?.object(['minute', 'hour', 'day']);
    const retentionMs = {
      minute: r?.optional('minute')?.durationMs({ minMs: 3_600_000 }) ?? d.retentionMs.minute,
      hour: r?.optional('hour')?.durationMs({ minMs: 86_400_000 }) ?? d.retentionMs.hour,
      day: r?.optional('day')?.durationMs({ minMs: 7 * 86_400_000 }) ?? d.retentionMs.day,
    };
    return {
      dir: dirValue === undefined ? null : isAbsolute(dirValue) ? dirValue : join(context.dir, dirValue),
      retentionMs,
      flushIntervalMs: o.optional('flushInterval')?.durationMs({ minMs: 1000, maxMs: 3_600_000 }) ?? d.flushIntervalMs,
      breakdownLimit: o.optional('breakdownLimit')?.number({ min: 1, max: 1000, integer: true }) ?? d.breakdownLimit,
      endpointIdleMs: o.optional('endpointIdle')?.durationMs({ minMs: 60_000 }) ?? d.endpointIdleMs,
      limits: {
        discoveredProviders: o.optional('maxDiscoveredProviders')?.number({ min: 0, max: 100_000, integer: true }) ?? d.limits.discoveredProviders,
        endpoints: o.optional('maxEndpoints')?.number({ min: 1, max: 1_000_000, integer: true }) ?? d.limits.endpoints,
        endpointsPerProvider: o.optional('maxEndpointsPerProvider')?.number({ min: 1, max: 1_000_000, integer: true }) ?? d.limits.endpointsPerProvider,
        memoryBytes: (o.optional('memoryLimitMB')?.number({ min: 64, max: 1_048_576, integer: true }) ?? d.limits.memoryBytes / 1_048_576) * 1_048_576,
      },
    };
  },
});
