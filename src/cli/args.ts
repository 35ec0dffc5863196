// Typed readers for parsed option values, turning mistakes into one-line usage errors.
import { UsageError } from '../errors.js';
import type { CommandContext } from './command.js';

type Values = CommandContext['values'];

export function stringOpt(values: Values, name: string): string | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new UsageError(`--${name} needs a value`);
  return v;
}

export function stringList(values: Values, name: string): string[] {
  const v = values[name];
  if (v === undefined) return [];
  const list = Array.isArray(v) ? v : [v];
  return list.map((x) => {
    if (typeof x !== 'string') throw new UsageError(`--${name} needs a value`);
    return x;
  });
}

export function flag(values: Values, name: string): boolean {
  return values[name] === true;
}

/** A non-negative number option, e.g. --duration 10 or --duration 2.5. */
export function numberOpt(values: Values, name: string, opts: { min?: number; max?: number; integer?: boolean } = {}): number | undefined {
  const raw = stringOpt(values, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  const min = opts.min ?? 0;
  if (raw.trim() === '' || !Number.isFinite(n) || n < min || (opts.max !== undefined && n > opts.max) || (opts.integer && !Number.isInteger(n))) {
    const range = opts.max !== undefined ? `between ${min} and ${opts.max}` : `at least ${min}`;
    throw new UsageError(`--${name} must be ${opts.integer ? 'an integer' : 'a number'} ${range}, got ${JSON.stringify(raw)}`);
  }
  return n;
}

/** A TCP/UDP port number. */
export function parsePort(raw: string, what: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > 65535) throw new UsageError(`${what} must be a port between 1 and 65535, got ${JSON.stringify(raw)}`);
  return n;
}

/** Port 53 and every --dns-port. */
export function dnsPortsOpt(values: Values): number[] {
  return [53, ...stringList(values, 'dns-port').map((p) => parsePort(p, '--dns-port'))];
}
