// `egresswatch run` started as root gives up root once capture is attached: every thread runs as
// the egresswatch user with no capability and no_new_privs (read from /proc), capture and the
// store keep working, and the data directory belongs to that user (0700, files 0600). Where the
// user could not reach what it still needs, the agent stays root and says why.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isRoot, repoRoot } from '../helpers/paths.js';
import { logLine, startRun, stop } from '../helpers/run-process.js';
import { until } from '../helpers/until.js';

/** A copy of the built package (hard links) under a directory every user can search. */
function searchablePackage(t: { after: (fn: () => void) => void }): { root: string; bin: string } {
  const root = mkdtempSync(join(tmpdir(), 'ew-pkg-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  chmodSync(root, 0o755);
  execFileSync('cp', ['-al', ...['bin', 'dist', 'native', 'data', 'package.json', 'node_modules'].map((f) => join(repoRoot, f)), root]);
  return { root, bin: join(root, 'bin', 'egresswatch.js') };
}

/** `egresswatch run` from a searchable copy of the package, with `config` written at `mode`; resolves with its privileges line. */
async function runFromCopy(t: { after: (fn: () => void) => void }, config: string, mode: number) {
  const pkg = searchablePackage(t);
  const dir = join(pkg.root, 'run');
  mkdirSync(dir, { mode: 0o755 });
  writeFileSync(join(dir, 'config.yml'), config, { mode });
  const run = await startRun(['--config', join(dir, 'config.yml'), '--data', join(dir, 'data')], { cwd: dir, bin: pkg.bin });
  t.after(() => run.child.kill('SIGKILL'));
  const line = await logLine(run, (l) => l.msg.startsWith('privileges:'));
  return { run, dir, line };
}

const statusOf = (pid: number | string, task?: string) => readFileSync(task ? `/proc/${pid}/task/${task}/status` : `/proc/${pid}/status`, 'utf8');
const field = (status: string, name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(status)?.[1];

test('run as root continues as the egresswatch user with no capabilities once capture is attached', { skip: !isRoot && 'needs root', timeout: 60_000 }, async (t) => {
  const user = /^egresswatch:x:(\d+):(\d+):/m.exec(readFileSync('/etc/passwd', 'utf8'));
  assert.ok(user, 'the egresswatch user exists (scripts/install.sh creates it)');
  const uid = Number(user[1]);
  const { run, dir, line } = await runFromCopy(t, 'store:\n  flushInterval: 1s\nlabels:\n  aws: {enabled: false}\n', 0o644);
  assert.match(line.msg, new RegExp(`running as egresswatch \\(uid ${uid}\\) from now on, capabilities none, no_new_privs set`));
  const pid = run.child.pid!;
  assert.ok(run.lines.some((l) => l.msg.startsWith('capture: live')), 'capture was attached first');
  // Every thread, not only the main one.
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const s = statusOf(pid, task);
    assert.equal(field(s, 'Uid'), `${uid}\t${uid}\t${uid}\t${uid}`, `thread ${task}`);
    assert.equal(field(s, 'CapEff'), '0000000000000000', `thread ${task}`);
    assert.equal(field(s, 'CapPrm'), '0000000000000000', `thread ${task}`);
  }
  assert.equal(field(statusOf(pid), 'NoNewPrivs'), '1');
  // Still monitoring: a DNS lookup on loopback is captured and the store keeps writing as that user.
  // Nothing answers on 127.0.0.1:53: the query alone is what capture must see.
  spawnSync('dig', ['+tries=1', '+time=1', '@127.0.0.1', '-p', '53', 'privileges.test.example'], { stdio: 'ignore' });
  const resolvers = async () => ((await (await fetch(`${run.url}api/v1/dns/resolvers`)).json()) as { resolvers: Array<{ server: string; queries: number }> }).resolvers;
  await until(resolvers, (r) => r.some((x) => x.server.startsWith('127.0.0.1')));
  assert.equal(await stop(run), 0);
  const data = join(dir, 'data');
  assert.equal(statSync(data).uid, uid);
  assert.equal(statSync(data).mode & 0o777, 0o700);
  for (const name of readdirSync(data)) {
    const st = statSync(join(data, name));
    if (st.isFile()) assert.equal(st.mode & 0o777, 0o600, name);
  }
});

test('run stays root, and says why, when the user could not read its configuration', { skip: !isRoot && 'needs root', timeout: 60_000 }, async (t) => {
  const { run, line } = await runFromCopy(t, 'labels:\n  aws: {enabled: false}\n', 0o600);
  assert.equal(line.level, 'warn');
  assert.match(line.msg, /still root: as egresswatch the agent could not go on, .*config\.yml \(mode 600, owner uid 0\) cannot be read/);
  assert.equal(field(statusOf(run.child.pid!), 'Uid')?.split('\t')[0], '0');
  assert.equal(await stop(run), 0);
});
