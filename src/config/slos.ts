// The `slos:` section: service level objectives per provider or endpoint.
//
//   slos:
//     - name: availability      # unique
//       kind: success           # success ratio of DNS, connects and checks
//       objective: 99.9         # percent
//       window: 30d
//       provider: aws           # optional: only this provider (else every provider)
//       endpoint: "aws|api.example.com:443"   # optional: only this endpoint
//     - name: latency
//       kind: latency           # "objective % of calls under threshold"
//       objective: 99
//       threshold: 500ms
// Without the section: availability 99.9 % over 30 d and latency 99 % under 1 s over 30 d, for every provider.
import { defaultSlos, type SloDefinition } from '../health/engine-settings.js';
import type { ConfigValue } from './config-value.js';
import { defineSection } from './section.js';

export const slosSection = defineSection({
  key: 'slos',
  defaultValue: defaultSlos,
  validate: (value: ConfigValue): SloDefinition[] => {
    const seen = new Set<string>();
    return value.list().map((item) => {
      const o = item.object(['name', 'kind', 'objective', 'threshold', 'window', 'provider', 'endpoint']);
      const name = o.get('name').string();
      if (seen.has(name)) o.get('name').fail(`duplicate SLO name "${name}"`);
      seen.add(name);
      const kind = o.optional('kind')?.oneOf(['success', 'latency'] as const) ?? 'success';
      const objective = o.get('objective').number({ min: 50, max: 99.9999 }) / 100;
      const slo: SloDefinition = { name, kind, objective, windowMs: o.optional('window')?.durationMs({ minMs: 3_600_000, maxMs: 400 * 86_400_000 }) ?? 30 * 86_400_000 };
      if (kind === 'latency') slo.thresholdMs = o.get('threshold').durationMs({ minMs: 1 });
      else if (o.has('threshold')) o.get('threshold').fail('only latency SLOs have a threshold');
      const provider = o.optional('provider')?.string();
      const endpoint = o.optional('endpoint')?.string();
      if (provider !== undefined) slo.provider = provider;
      if (endpoint !== undefined) slo.endpoint = endpoint;
      return slo;
    });
  },
});
