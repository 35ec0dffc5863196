// Entry point of the `egresswatch` command: finds the command, parses its options, runs it, and
// turns any failure into one line on stderr (a stack trace only with EGRESSWATCH_DEBUG=1).
import { parseArgs } from 'node:util';
import { EgressError, UsageError, oneLine } from '../errors.js';
import type { Command, CommandIo } from './command.js';
import { commands, type CommandEntry } from './commands.js';

const helpOption = { help: { type: 'boolean', short: 'h' } } as const;

function topLevelHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `Usage: egresswatch <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun "egresswatch <command> --help" for a command's options.\n`;
}

/** Longest command name that prefixes the arguments ("dns report" before "dns"). */
function findCommand(argv: string[]): { entry: CommandEntry; rest: string[] } | undefined {
  const byWords = [...commands].sort((a, b) => b.name.split(' ').length - a.name.split(' ').length);
  for (const entry of byWords) {
    const words = entry.name.split(' ');
    if (words.every((w, i) => argv[i] === w)) return { entry, rest: argv.slice(words.length) };
  }
  return undefined;
}

function commandHelp(cmd: Command): string {
  return `Usage: ${cmd.usage.trim()}\n`;
}

/** Runs the CLI with the given arguments; resolves to the exit code. */
export async function main(argv: string[], io: CommandIo = { stdout: process.stdout, stderr: process.stderr }, signal = shutdownSignal()): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.stdout.write(topLevelHelp());
    return argv.length === 0 ? 2 : 0;
  }
  if (argv[0] === '--version') {
    io.stdout.write('egresswatch 0.1.0\n');
    return 0;
  }
  const found = findCommand(argv);
  if (!found) {
    const group = commands.filter((c) => c.name.startsWith(`${argv[0]} `)).map((c) => c.name);
    // "egresswatch dns --help" lists the group's commands, as the top level does.
    if (group.length && (argv[1] === '--help' || argv[1] === '-h')) {
      const members = commands.filter((c) => group.includes(c.name));
      io.stdout.write(`Usage: egresswatch ${argv[0]} <command> [options]\n\nCommands:\n${members.map((c) => `  ${c.name}  ${c.summary}`).join('\n')}\n\nRun "egresswatch ${argv[0]} <command> --help" for a command's options.\n`);
      return 0;
    }
    const hint = group.length ? `; did you mean: ${group.join(', ')}` : '; run "egresswatch --help" for the list';
    io.stderr.write(`egresswatch: unknown command "${argv.slice(0, 2).join(' ')}"${hint}\n`);
    return 2;
  }
  let cmd: Command | undefined;
  try {
    cmd = await found.entry.load();
    if (found.rest.includes('--help') || found.rest.includes('-h')) {
      io.stdout.write(commandHelp(cmd));
      return 0;
    }
    let parsed;
    try {
      parsed = parseArgs({ args: found.rest, options: { ...cmd.options, ...helpOption }, allowPositionals: cmd.allowPositionals ?? false, strict: true });
    } catch (err) {
      throw new UsageError(oneLine(err).replace(/^TypeError \[[A-Z_]+\]: /, ''));
    }
    return await cmd.run({ values: parsed.values, positionals: parsed.positionals, io, signal });
  } catch (err) {
    const prefix = cmd ? `egresswatch ${cmd.name}` : 'egresswatch';
    if (err instanceof UsageError) {
      io.stderr.write(`${prefix}: ${oneLine(err)} (see "egresswatch ${found.entry.name} --help")\n`);
      return 2;
    }
    if (err instanceof EgressError) {
      io.stderr.write(`${prefix}: ${oneLine(err)}\n`);
      return 1;
    }
    io.stderr.write(`${prefix}: internal error: ${oneLine(err)}\n`);
    if (process.env.EGRESSWATCH_DEBUG) io.stderr.write(`${(err as Error)?.stack ?? ''}\n`);
    return 70;
  }
}

/** An AbortSignal that fires on the first SIGINT or SIGTERM; a second one exits at once. */
function shutdownSignal(): AbortSignal {
  const controller = new AbortController();
  const onSignal = (name: string) => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort(new Error(`received ${name}`));
  };
  process.once('SIGINT', () => onSignal('SIGINT'));
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  return controller.signal;
}
