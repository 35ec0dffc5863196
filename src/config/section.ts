// The contract of one top-level configuration section: its key, its default, its validator.
import type { ConfigValue } from './config-value.js';

export interface ConfigSection<K extends string, T> {
  /** Top-level YAML key, e.g. "checks". */
  key: K;
  /** The value when the key is absent from the file. */
  defaultValue: () => T;
  /**
   * Reads the section into typed objects, applying defaults first; throws ConfigError (via
   * value.fail) with file, path and problem. `context.dir` resolves relative file paths.
   */
  validate: (value: ConfigValue, context: ConfigContext) => T;
}

export interface ConfigContext {
  /** Directory of the configuration file, for relative paths inside it (e.g. caFile). */
  dir: string;
}

/** Keeps key and type together in the section list without widening either. */
export function defineSection<K extends string, T>(section: ConfigSection<K, T>): ConfigSection<K, T> {
  return section;
}
