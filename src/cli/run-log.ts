// The run command's terminal output: short lines for people, or one JSON object per line
// (--log-format json) for machines. Fields from the network are escaped for the terminal.
import type { CommandIo } from './command.js';

export type LogFormat = 'text' | 'json';
export type LogLevel = 'info' | 'warn' | 'error';

export interface RunLog {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** Control characters would let a captured name rewrite the terminal: show them as \xNN. */
function terminalSafe(text: string): string {
  return text.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

export function createRunLog(io: CommandIo, format: LogFormat, now: () => number = Date.now): RunLog {
  const write = (level: LogLevel, msg: string, fields: Record<string, unknown> = {}) => {
    if (format === 'json') {
      io.stderr.write(JSON.stringify({ time: new Date(now()).toISOString(), level, msg, ...fields }) + '\n');
      return;
    }
    const prefix = level === 'info' ? '' : `${level}: `;
    io.stderr.write(`egresswatch: ${prefix}${terminalSafe(msg)}\n`);
  };
  return {
    info: (msg, fields) => write('info', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    error: (msg, fields) => write('error', msg, fields),
  };
}
