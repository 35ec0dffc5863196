// `egresswatch validate`: checks a configuration file and prints every problem found, one line
// each, so a file can be fixed in one pass (the run command stops at the first).
import { dirname, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { stringOpt } from './args.js';
import type { Command } from './command.js';

export const validateCommand: Command = {
  name: 'validate',
  summary: 'check a configuration file and print every problem in it',
  usage: `egresswatch validate --config FILE

Reads the YAML configuration as "egresswatch run --config FILE" would and prints every problem,
one line each with the file and where in it. Exits 0 when the file is valid, 1 when it is not.`,
  options: { config: { type: 'string' } },
  async run({ values, io }) {
    const file = stringOpt(values, 'config');
    if (file === undefined) throw new UsageError('--config FILE is required');
    const { configProblems, readConfigFile } = await import('../config/load.js');
    const problems = configProblems(readConfigFile(file), file, dirname(resolve(file)));
    if (problems.length === 0) {
      io.stdout.write(`${file}: valid\n`);
      return 0;
    }
    for (const p of problems) io.stderr.write(`${p}\n`);
    io.stderr.write(`${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n`);
    return 1;
  },
};
