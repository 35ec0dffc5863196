// The `remoteWrite:` and `otlp:` sections: push every /metrics series to a Prometheus
// remote-write endpoint or an OTLP/HTTP metrics endpoint, for hosts that cannot be scraped or
// fleets that collect with OpenTelemetry. Absent: no pushing.
//
//   remoteWrite:
//     url: https://mimir.example.internal/api/v1/push
//     interval: 30s              how often every series is pushed (1s to 10m)
//     timeout: 10s
//     headers: {Authorization: "Bearer …", X-Scope-OrgID: tenant-1}
//   otlp:
//     url: http://otel-collector:4318/v1/metrics
//     interval: 30s
import type { PushSettings } from '../server/push-settings.js';
import type { ConfigValue } from './config-value.js';
import { defineSection } from './section.js';

function readPushTarget(value: ConfigValue): PushSettings {
  const o = value.object(['url', 'interval', 'timeout', 'headers']);
  const headers = o.optional('headers')?.stringMap() ?? {};
  const intervalMs = o.optional('interval')?.durationMs({ minMs: 1_000, maxMs: 600_000 }) ?? 30_000;
  const timeout = o.optional('timeout');
  const timeoutMs = timeout?.durationMs({ minMs: 100, maxMs: 600_000 }) ?? Math.min(10_000, intervalMs);
  if (timeout && timeoutMs > intervalMs) timeout.fail('must not be longer than interval');
  return { url: o.get('url').url(['http:', 'https:']).toString(), intervalMs, timeoutMs, headers };
}

export const remoteWriteSection = defineSection({
  key: 'remoteWrite',
  defaultValue: (): PushSettings | null => null,
  validate: readPushTarget,
});

export const otlpSection = defineSection({
  key: 'otlp',
  defaultValue: (): PushSettings | null => null,
  validate: readPushTarget,
});
