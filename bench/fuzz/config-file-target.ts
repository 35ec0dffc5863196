// Fuzz target (Jazzer.js): any bytes as a configuration file, through the loader and through
// `egresswatch validate`'s problem list. The loader gives a configuration or a one-line
// ConfigError; the problem list gives one-line problems. Any other exception, or a message over
// several lines, is a finding.
import { ConfigError } from '../../src/errors.js';
import { configProblems, parseConfig } from '../../src/config/load.js';

const FILE = 'fuzz.yml';
const DIR = '/nonexistent';

export function fuzz(data: Buffer): void {
  const text = data.toString('utf8');
  try {
    parseConfig(text, FILE, DIR);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    if (/\n/.test(err.message)) throw new Error(`a configuration error over several lines: ${err.message}`);
  }
  for (const p of configProblems(text, FILE, DIR)) {
    if (/\n/.test(p)) throw new Error(`a problem over several lines: ${p}`);
  }
}
