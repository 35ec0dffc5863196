// Settings of the fleet view (the `fleet:` section, or run --fleet --prometheus-url URL).
export interface FleetSettings {
  /** The Prometheus-compatible query API's base URL, e.g. http://prometheus:9090; null: not a fleet view. */
  prometheusUrl: string | null;
  /** How often the fleet view asks the engine again. */
  refreshIntervalMs: number;
}

export function defaultFleetSettings(): FleetSettings {
  return { prometheusUrl: null, refreshIntervalMs: 15_000 };
}
