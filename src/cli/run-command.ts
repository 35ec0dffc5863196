// `egresswatch run`: the monitor. For now it runs live capture and prints events for people;
// DNS analysis, checks, the store and the status page join it as they land.
import { captureCommand } from './capture-command.js';
import type { Command } from './command.js';

export const runCommand: Command = {
  name: 'run',
  summary: 'run the monitor: capture, DNS analysis, checks, store and status page',
  usage: `egresswatch run [--dns-port PORT]...

Starts live capture and prints DNS and TCP events until interrupted.

Options:
  --dns-port PORT      also treat this port as DNS, besides 53 (repeatable)`,
  options: { 'dns-port': { type: 'string', multiple: true } },
  run: (ctx) => captureCommand.run({ ...ctx, values: { 'dns-port': ctx.values['dns-port'] } }),
};
