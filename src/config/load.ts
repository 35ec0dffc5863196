// Reads the YAML configuration file and validates every section into typed objects. The only
// place in the project that parses raw YAML.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { ConfigError } from '../errors.js';
import { ConfigValue } from './config-value.js';
import { sections, type Config } from './sections.js';

/** Reads and validates a configuration file; throws ConfigError with a one-line message. */
export function loadConfig(file: string): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(`${file}: cannot read the configuration file (${code === 'ENOENT' ? 'no such file' : code ?? 'error'})`);
  }
  return parseConfig(text, file, dirname(resolve(file)));
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
  const root = new ConfigValue(file, '', doc.toJS() ?? {});
  const top = root.object(sections.map((s) => s.key));
  const config: Record<string, unknown> = {};
  for (const section of sections) {
    const value = top.optional(section.key);
    config[section.key] = value === undefined ? section.defaultValue() : section.validate(value, { dir });
  }
  return config as Config;
}
