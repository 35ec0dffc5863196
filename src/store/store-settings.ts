// The `store:` section's settings: where the embedded store lives, how often the engine flushes
// into it, and (the engine's part) retention and breakdown limits.
import { defaultRollupSettings, type RollupSettings } from '../health/engine-settings.js';

export interface StoreSettings extends RollupSettings {
  /** Absolute data directory, or null to let the run command choose. */
  dir: string | null;
  /** How often pending buckets are written (batches, never per event) and the engine ticks. */
  flushIntervalMs: number;
}

export function defaultStoreSettings(): StoreSettings {
  return { dir: null, ...defaultRollupSettings(), flushIntervalMs: 10_000 };
}
