// Reads the YAML configuration file and validates every section into typed objects. The only
// place in the project that parses raw YAML.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isAlias, isCollection, parseDocument, visit } from 'yaml';
import { ConfigError } from '../errors.js';
import { ConfigValue } from './config-value.js';
import { readCheck, rememberName } from './checks.js';
import { sections, type Config } from './sections.js';

/** Reads and validates a configuration file; throws ConfigError with a one-line message. */
export function loadConfig(file: string): Config {
  return parseConfig(readConfigFile(file), file, dirname(resolve(file)));
}

/** The text of a configuration file; ConfigError with a one-line message when it cannot be read. */
export function readConfigFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(`${file}: cannot read the configuration file (${code === 'ENOENT' ? 'no such file' : code ?? 'error'})`);
  }
}

/** Validates configuration text; `file` names it in messages, `dir` resolves relative paths. */
export function parseConfig(text: string, file: string, dir: string): Config {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) {
    const at = problem.linePos?.[0];
    const where = at ? `:${at.line}:${at.col}` : '';
    throw new ConfigError(`${file}${where}: invalid YAML: ${problem.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`);
  }
  const root = new ConfigValue(file, '', documentValue(doc, file, text) ?? {});
  const top = root.object(sections.map((s) => s.key));
  const config: Record<string, unknown> = {};
  for (const section of sections) {
    const value = top.optional(section.key);
    config[section.key] = value === undefined ? section.defaultValue() : section.validate(value, { dir });
  }
  return config as Config;
}

/**
 * Every problem of configuration text, one line each (empty when it is valid): all YAML errors;
 * otherwise each unknown top-level key, each section's first problem, and each check's own.
 */
export function configProblems(text: string, file: string, dir: string): string[] {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  const yamlProblems = [...doc.errors, ...doc.warnings];
  if (yamlProblems.length) {
    return yamlProblems.map((p) => {
      const at = p.linePos?.[0];
      return `${file}${at ? `:${at.line}:${at.col}` : ''}: invalid YAML: ${p.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`;
    });
  }
  const problems: string[] = [];
  const attempt = (fn: () => void) => {
    try {
      fn();
    } catch (err) {
      problems.push(err instanceof ConfigError ? err.message : `${file}: ${String(err)}`);
    }
  };
  let raw: unknown;
  try {
    raw = documentValue(doc, file, text) ?? {};
  } catch (err) {
    return [err instanceof ConfigError ? err.message : String(err)];
  }
  const root = new ConfigValue(file, '', raw);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    attempt(() => root.object([]));
    return problems;
  }
  const known = new Set<string>(sections.map((s) => s.key));
  for (const key of Object.keys(raw)) {
    if (!known.has(key)) attempt(() => new ConfigValue(file, '', { [key]: null }).object([...known]));
  }
  const top = new ConfigValue(file, '', Object.fromEntries(Object.entries(raw).filter(([k]) => known.has(k)))).object([...known]);
  for (const section of sections) {
    const value = top.optional(section.key);
    if (value === undefined) continue;
    if (section.key === 'checks' && Array.isArray(value.raw)) {
      const names = new Set<string>();
      for (const item of value.list()) attempt(() => rememberName(item, readCheck(item, { dir }), names));
      continue;
    }
    attempt(() => section.validate(value, { dir }));
  }
  return problems;
}

/**
 * The document's value. Aliases that expand without bound (the "billion laughs") are refused by
 * the YAML library; that refusal becomes the file's one-line error.
 */
function documentValue(doc: ReturnType<typeof parseDocument>, file: string, text: string): unknown {
  // A list or mapping as a key ("? - a") has no place in a configuration, and the YAML library
  // would turn it into a multi-line text key with a warning on standard error.
  let keyAt: number | undefined;
  visit(doc, {
    Pair(_, pair) {
      const key = pair.key;
      if (!isCollection(key) && !(isAlias(key) && isCollection(key.resolve(doc)))) return undefined;
      keyAt = (key as { range?: [number, number, number] | null }).range?.[0] ?? 0;
      return visit.BREAK;
    },
  });
  if (keyAt !== undefined) {
    const before = text.slice(0, keyAt);
    const line = before.split('\n').length;
    throw new ConfigError(`${file}:${line}:${keyAt - before.lastIndexOf('\n')}: invalid YAML: a key must be a plain value, not a list or a mapping`);
  }
  try {
    return doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    if (err instanceof ReferenceError && /alias/i.test(err.message)) throw new ConfigError(`${file}: invalid YAML: aliases expand too far (${err.message})`);
    throw err;
  }
}
