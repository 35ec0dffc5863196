// A parsed YAML value with its location (file and path), and readers that either return a typed
// value or throw a ConfigError naming file, path and problem in one line.
import { ConfigError } from '../errors.js';

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;
const DURATION_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

function describe(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  const text = JSON.stringify(v);
  return text.length > 60 ? text.slice(0, 57) + '..."' : text;
}

/** Keys written in messages as they are; any other is quoted, so a message stays one line. */
const PLAIN_KEY = /^[\w.@/:+-]{1,80}$/;

export class ConfigValue {
  constructor(
    readonly file: string,
    readonly path: string,
    readonly raw: unknown,
  ) {}

  /** Throws the one-line error for this location. */
  fail(problem: string): never {
    throw new ConfigError(`${this.file}: ${this.path || '(top level)'}: ${problem}`);
  }

  private child(key: string | number, raw: unknown): ConfigValue {
    const name = typeof key === 'number' || PLAIN_KEY.test(key) ? key : describe(key);
    const path = typeof key === 'number' ? `${this.path}[${key}]` : this.path ? `${this.path}.${name}` : `${name}`;
    return new ConfigValue(this.file, path, raw);
  }

  get isMissing(): boolean {
    return this.raw === undefined || this.raw === null;
  }

  /** A mapping whose keys must all be in `allowed`; returns a reader of its fields. */
  object(allowed: readonly string[]): ConfigObject {
    if (typeof this.raw !== 'object' || this.raw === null || Array.isArray(this.raw)) this.fail(`expected a mapping, got ${describe(this.raw)}`);
    const record = this.raw as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (!allowed.includes(key)) this.child(key, record[key]).fail(`unknown key (expected one of: ${allowed.join(', ')})`);
    }
    return new ConfigObject(this, record, (k, v) => this.child(k, v));
  }

  /** A mapping of any keys to strings (HTTP headers). */
  stringMap(opts: { nonEmpty?: boolean } = { nonEmpty: true }): Record<string, string> {
    const keys = Object.keys((this.raw as object | null) ?? {});
    const o = this.object(keys);
    const out: Record<string, string> = {};
    for (const k of keys) out[k] = o.get(k).string(opts);
    return out;
  }

  list(): ConfigValue[] {
    if (!Array.isArray(this.raw)) this.fail(`expected a list, got ${describe(this.raw)}`);
    return this.raw.map((v, i) => this.child(i, v));
  }

  /** A list, or a single item taken as a list of one. */
  listOrOne(): ConfigValue[] {
    return Array.isArray(this.raw) ? this.list() : [this];
  }

  string(opts: { nonEmpty?: boolean } = { nonEmpty: true }): string {
    if (typeof this.raw !== 'string') this.fail(`expected a string, got ${describe(this.raw)}`);
    if (opts.nonEmpty !== false && this.raw.trim() === '') this.fail('expected a non-empty string');
    return this.raw;
  }

  number(opts: { min?: number; max?: number; integer?: boolean } = {}): number {
    const v = this.raw;
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(`expected a number, got ${describe(v)}`);
    if (opts.integer && !Number.isInteger(v)) this.fail(`expected a whole number, got ${describe(v)}`);
    if (opts.min !== undefined && v < opts.min) this.fail(`must be at least ${opts.min}, got ${v}`);
    if (opts.max !== undefined && v > opts.max) this.fail(`must be at most ${opts.max}, got ${v}`);
    return v;
  }

  boolean(): boolean {
    if (typeof this.raw !== 'boolean') this.fail(`expected true or false, got ${describe(this.raw)}`);
    return this.raw;
  }

  oneOf<T extends string>(choices: readonly T[]): T {
    const v = this.raw;
    if (typeof v !== 'string' || !(choices as readonly string[]).includes(v)) this.fail(`expected one of ${choices.join(', ')}, got ${describe(v)}`);
    return v as T;
  }

  /** A duration like "500ms", "5s", "2m", "1h"; a bare number is taken as seconds. */
  durationMs(opts: { minMs?: number; maxMs?: number } = {}): number {
    const v = this.raw;
    let ms: number | undefined;
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) ms = v * 1000;
    else if (typeof v === 'string') {
      const m = DURATION.exec(v.trim());
      if (m) ms = Number(m[1]) * DURATION_MS[m[2]];
    }
    if (ms === undefined) this.fail(`expected a duration like "5s", got ${describe(v)}`);
    if (opts.minMs !== undefined && ms < opts.minMs) this.fail(`must be at least ${opts.minMs}ms, got ${describe(v)}`);
    if (opts.maxMs !== undefined && ms > opts.maxMs) this.fail(`must be at most ${opts.maxMs}ms, got ${describe(v)}`);
    return ms;
  }

  /** A regular expression in JavaScript syntax. */
  regex(): RegExp {
    const source = this.string();
    try {
      return new RegExp(source);
    } catch (err) {
      this.fail(`invalid regular expression: ${(err as Error).message}`);
    }
  }

  /** "host:port", "[v6]:port", or a bare host when defaultPort is given. */
  hostPort(defaultPort?: number): { host: string; port: number } {
    const text = this.string().trim();
    const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(text) ?? /^([^:\s]+)(?::(\d+))?$/.exec(text);
    if (!m) {
      // An unbracketed IPv6 literal has several colons: only valid without a port.
      if (text.includes(':') && defaultPort !== undefined && /^[0-9a-fA-F:.]+$/.test(text)) return { host: text, port: defaultPort };
      this.fail(`expected host:port, got ${describe(text)}`);
    }
    const port = m[2] === undefined ? defaultPort : Number(m[2]);
    if (port === undefined) this.fail(`expected host:port (the port is required), got ${describe(text)}`);
    if (!Number.isInteger(port) || port < 1 || port > 65535) this.fail(`port must be between 1 and 65535, got ${describe(text)}`);
    return { host: m[1], port };
  }

  /** An absolute URL whose scheme is one of `schemes` (e.g. ["http:", "https:"]). */
  url(schemes: readonly string[]): URL {
    const text = this.string().trim();
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      this.fail(`expected an absolute URL, got ${describe(text)}`);
    }
    if (!schemes.includes(url.protocol)) this.fail(`expected a ${schemes.map((s) => s.replace(':', '')).join(' or ')} URL, got ${describe(text)}`);
    return url;
  }
}

/** The fields of a mapping, each read through a ConfigValue so errors carry the full path. */
export class ConfigObject {
  constructor(
    readonly value: ConfigValue,
    private readonly record: Record<string, unknown>,
    private readonly make: (key: string, raw: unknown) => ConfigValue,
  ) {}

  has(key: string): boolean {
    return this.record[key] !== undefined && this.record[key] !== null;
  }

  /** The field, which must be present. */
  get(key: string): ConfigValue {
    const v = this.make(key, this.record[key]);
    if (v.isMissing) this.value.fail(`missing required key "${key}"`);
    return v;
  }

  /** The field, or undefined when absent (a default then applies). */
  optional(key: string): ConfigValue | undefined {
    return this.has(key) ? this.make(key, this.record[key]) : undefined;
  }

  /** Fails unless exactly one of the keys is present; returns which one. */
  exactlyOne<K extends string>(keys: readonly K[]): K {
    const present = keys.filter((k) => this.has(k));
    if (present.length !== 1) this.value.fail(present.length === 0 ? `needs one of: ${keys.join(', ')}` : `has both ${present.join(' and ')}; use only one`);
    return present[0];
  }
}
