// The `fleet:` section: run as the fleet view, reading every agent's series from a
// Prometheus-compatible query API instead of capturing and checking on this host.
//
//   fleet:
//     prometheusUrl: http://prometheus.example.internal:9090   (also: run --fleet --prometheus-url URL)
//     refreshInterval: 15s
import { defaultFleetSettings, type FleetSettings } from '../fleet/fleet-settings.js';
import type { ConfigValue } from './config-value.js';
import { defineSection } from './section.js';

export const fleetSection = defineSection({
  key: 'fleet',
  defaultValue: defaultFleetSettings,
  validate: (value: ConfigValue): FleetSettings => {
    const o = value.object(['prometheusUrl', 'refreshInterval']);
    const s = defaultFleetSettings();
    const url = o.optional('prometheusUrl');
    if (url) s.prometheusUrl = url.url(['http:', 'https:']).toString();
    const every = o.optional('refreshInterval');
    if (every) s.refreshIntervalMs = every.durationMs({ minMs: 1_000, maxMs: 600_000 });
    return s;
  },
});
