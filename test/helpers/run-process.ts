// `egresswatch run` as a real child process for tests: started with JSON logs on a free port,
// its log lines collected, waited on by line, stopped with a signal.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { repoRoot } from './paths.js';

export interface LogLine {
  level: string;
  msg: string;
  url?: string;
  [k: string]: unknown;
}

export interface Running {
  child: ChildProcess;
  lines: LogLine[];
  url: string;
  exited: Promise<number | null>;
}

/** Starts `egresswatch run` (of this checkout, or of `bin`) with JSON logs and resolves once it says it is ready. */
export async function startRun(args: string[], opts: { cwd: string; prefix?: string[]; bin?: string; env?: Record<string, string> }): Promise<Running> {
  const cmd = [...(opts.prefix ?? []), process.execPath, opts.bin ?? join(repoRoot, 'bin', 'egresswatch.js'), 'run', '--listen', '127.0.0.1:0', '--log-format', 'json', ...args];
  // No cloud metadata lookups from tests: they would leave loopback.
  const child = spawn(cmd[0], cmd.slice(1), { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true', ...opts.env } });
  const lines: LogLine[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let url = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready in 10 s: ${JSON.stringify(lines)}`)), 10_000);
    createInterface({ input: child.stderr! }).on('line', (text) => {
      let line: LogLine;
      try {
        line = JSON.parse(text) as LogLine;
      } catch {
        line = { level: 'raw', msg: text };
      }
      lines.push(line);
      if (typeof line.url === 'string') url = line.url;
      if (line.msg.startsWith('ready in')) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then((code) => reject(new Error(`exited with ${code} before ready: ${JSON.stringify(lines)}`)));
  });
  return { child, lines, url, exited };
}

export async function stop(run: Running, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  run.child.kill(signal);
  return run.exited;
}

export /** Resolves with the first log line (already seen or still to come) that matches. */
function logLine(run: Running, match: (line: LogLine) => boolean): Promise<LogLine> {
  return new Promise((resolve, reject) => {
    const found = run.lines.find(match);
    if (found) return resolve(found);
    const rl = createInterface({ input: run.child.stderr! });
    const onExit = () => reject(new Error(`exited before the line came: ${JSON.stringify(run.lines.slice(-5))}`));
    run.child.once('exit', onExit);
    rl.on('line', () => {
      const line = run.lines.find(match);
      if (!line) return;
      rl.close();
      run.child.off('exit', onExit);
      resolve(line);
    });
  });
}
