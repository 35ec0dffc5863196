// Starts tcpdump writing a capture file and waits until it listens, so tests capture real
// traffic with the real tool; stop() lets it flush and exit.
import { spawn, execFileSync } from 'node:child_process';

export interface TcpdumpRun {
  file: string;
  /** Stops tcpdump; resolves with its closing counts (captured, received, dropped by kernel). */
  stop(): Promise<string>;
}

export function hasTool(tool: string, versionArg = '--version'): boolean {
  try {
    execFileSync(tool, [versionArg], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** args: interface and format options, e.g. ['-i', 'lo'] or ['-i', 'any', '-y', 'LINUX_SLL2']. */
export async function startTcpdump(file: string, args: string[], filter: string): Promise<TcpdumpRun> {
  // --immediate-mode: take packets from the kernel at once (by default they may wait up to a
  // second in its buffer, and are lost when tcpdump stops); -U: write each packet at once;
  // -Z root: keep write access to the test's output folder. -s 2048 -B 8192: in immediate mode
  // libpcap's ring has one slot per snapshot length, so the default (262144 bytes in a 2 MiB
  // buffer) gives it 8 slots, and a write that stalls for a moment (the disk flushing after
  // earlier tests) made the kernel drop packets; 2048 bytes holds every packet of these tests.
  const child = spawn('tcpdump', [...args, '--immediate-mode', '-U', '-s', '2048', '-B', '8192', '-Z', 'root', '-n', '-w', file, filter], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tcpdump did not start: ${stderr.trim()}`)), 10_000);
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      if (/listening on/.test(stderr)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`tcpdump exited (${code}): ${stderr.trim()}`));
    });
  });
  return {
    file,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGINT');
      await exited;
      return stderr.split('\n').filter((l) => /packets? (captured|received|dropped)/.test(l)).join(', ');
    },
  };
}
