// Starts a real prometheus-alertmanager on loopback with a temporary config and storage, for notifier tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../helpers/free-port.js';

export const ALERTMANAGER_BIN = '/usr/bin/prometheus-alertmanager';

export interface RunningAlertmanager {
  url: string;
  stop(): Promise<void>;
}

export async function startAlertmanager(): Promise<RunningAlertmanager> {
  if (!existsSync(ALERTMANAGER_BIN)) throw new Error(`${ALERTMANAGER_BIN} is missing: install the prometheus-alertmanager package`);
  const dir = mkdtempSync(join(tmpdir(), 'ew-alertmanager-'));
  // A receiver with no integrations: alerts are kept and served by the API, sent nowhere.
  writeFileSync(join(dir, 'alertmanager.yml'), 'route:\n  receiver: sink\n  group_wait: 1s\nreceivers:\n  - name: sink\n');
  const port = await freePort();
  const child: ChildProcess = spawn(ALERTMANAGER_BIN, [
    `--config.file=${join(dir, 'alertmanager.yml')}`,
    `--storage.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--cluster.listen-address=',
    '--log.level=warn',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) break;
    try {
      const res = await fetch(`${url}/-/ready`);
      if (res.ok) return { url, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`alertmanager did not become ready: ${stderr.split('\n').slice(-3).join(' ')}`);
}
