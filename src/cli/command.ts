// The shape every CLI command implements; the dispatcher in main.ts knows only this.
import type { ParseArgsConfig } from 'node:util';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** Where a command writes: injectable so tests can run commands in-process. */
export interface CommandIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export interface CommandContext {
  /** Parsed --options (strings, booleans, or arrays for `multiple: true`). */
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  /** Arguments that are not options. */
  positionals: string[];
  io: CommandIo;
  /** Aborted on SIGINT/SIGTERM: long-running commands stop and print their summary. */
  signal: AbortSignal;
}

export interface Command {
  /** One or two words, e.g. "capture" or "dns report". */
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Usage line(s) and option help shown by --help. */
  usage: string;
  options: OptionSpec;
  /** Whether positional arguments are accepted. */
  allowPositionals?: boolean;
  /** Resolves to the process exit code. */
  run(ctx: CommandContext): Promise<number>;
}
