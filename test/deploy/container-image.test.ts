// The container image recipe (deploy/container/Containerfile) built and run for real: buildah
// builds it on a Debian 12 root made from Debian packages by mmdebstrap (with this host's Node 20
// package, repacked by dpkg-repack, and npm from the npm registry), then the image's own
// entrypoint runs the agent as the DaemonSet would (its capabilities, host network): its page
// answers, live eBPF capture attaches inside the image, and it gives up root to the image's
// egresswatch user.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { freePort } from '../helpers/free-port.js';
import { isRoot, repoRoot } from '../helpers/paths.js';
import { until } from '../helpers/until.js';

function sh(cmd: string, args: string[], opts: { cwd?: string } = {}): string {
  const r = spawnSync(cmd, args, { cwd: opts.cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}:\n${(r.stderr || r.stdout).slice(-3000)}`);
  return r.stdout.trim();
}

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const nodePackage = spawnSync('dpkg-query', ['-W', '-f=${Version}', 'nodejs'], { encoding: 'utf8' });
const why = !isRoot ? 'needs root'
  : !['buildah', 'mmdebstrap', 'dpkg-repack'].every(has) ? 'buildah, mmdebstrap or dpkg-repack is not installed'
    : nodePackage.status !== 0 || !/^2\d\./.test(nodePackage.stdout) ? 'Node 20 is not installed from a Debian package'
      : undefined;

/** A Debian 12 image with Node 20 and npm, imported into buildah's storage under `name`. */
function debianNodeImage(dir: string, name: string): void {
  sh('dpkg-repack', ['nodejs'], { cwd: dir });
  const deb = join(dir, readdirSync(dir).find((f) => f.startsWith('nodejs_') && f.endsWith('.deb'))!);
  // The repacked package carries npm as Debian listed it; npm of the same version comes whole from the registry.
  sh('npm', ['pack', `npm@${sh('npm', ['-v'])}`, '--pack-destination', dir, '--silent']);
  const npm = join(dir, readdirSync(dir).find((f) => /^npm-.*\.tgz$/.test(f))!);
  const root = join(dir, 'root.tar');
  sh('mmdebstrap', [
    '--variant=apt', '--hook-dir=/usr/share/mmdebstrap/hooks/file-mirror-automount', `--include=ca-certificates,${deb}`,
    `--customize-hook=rm -rf "$1/usr/lib/node_modules/npm" && mkdir "$1/usr/lib/node_modules/npm" && tar -xzf ${npm} -C "$1/usr/lib/node_modules/npm" --strip-components=1`,
    // The build fetches npm packages: it trusts the certificate authorities this host trusts
    // (a proxy in between may present its own), through the system store, as npm here does.
    '--customize-hook=cp /usr/local/share/ca-certificates/*.crt "$1/usr/local/share/ca-certificates/" 2>/dev/null; chroot "$1" update-ca-certificates >/dev/null && mkdir -p "$1/usr/etc" && echo cafile=/etc/ssl/certs/ca-certificates.crt > "$1/usr/etc/npmrc"',
    'bookworm', root,
  ]);
  const ctr = sh('buildah', ['from', 'scratch']);
  try {
    sh('tar', ['-C', sh('buildah', ['mount', ctr]), '-xf', root]);
    sh('buildah', ['commit', '-q', ctr, name]);
  } finally {
    sh('buildah', ['rm', ctr]);
  }
}

test('the Containerfile builds on Debian 12 and the image runs the agent with live capture', { skip: why, timeout: 900_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ew-image-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const tag = `${process.pid}-${Date.now()}`;
  const base = `localhost/egresswatch-test-base:${tag}`;
  const image = `localhost/egresswatch-test:${tag}`;
  t.after(() => void spawnSync('buildah', ['rmi', '-f', image, base]));
  debianNodeImage(dir, base);
  // Chroot isolation: the OCI runtime cannot create containers on this kernel's hybrid cgroups.
  sh('buildah', ['bud', '--isolation', 'chroot', '--network', 'host', '--build-arg', `BASE=${base}`, '-f', 'deploy/container/Containerfile', '-t', image, '.'], { cwd: repoRoot });

  // The image's entrypoint and command, as a container runtime would start them.
  const config = JSON.parse(sh('buildah', ['inspect', '--type', 'image', image])) as { OCIv1: { config: { Entrypoint: string[]; Cmd: string[] } } };
  const { Entrypoint: entrypoint, Cmd: cmd } = config.OCIv1.config;
  assert.deepEqual(entrypoint, ['node', '/opt/egresswatch/bin/egresswatch.js']);
  assert.deepEqual(cmd.slice(0, 3), ['run', '--listen', '0.0.0.0:9797']);
  // Started as the DaemonSet starts it: its capabilities, no seccomp profile, host network.
  const daemonSet = parseAllDocuments(readFileSync(join(repoRoot, 'deploy', 'kubernetes', 'egresswatch.yaml'), 'utf8')).map((d) => d.toJS()).find((d) => d?.kind === 'DaemonSet');
  const security = daemonSet.spec.template.spec.containers[0].securityContext as { capabilities: { add: string[] }; seccompProfile: { type: string } };
  assert.equal(security.seccompProfile.type, 'Unconfined');
  const ctr = sh('buildah', ['from', '--security-opt', 'seccomp=unconfined', image]);
  t.after(() => void spawnSync('buildah', ['rm', ctr]));
  const port = await freePort();
  const args = [...entrypoint, ...cmd.map((a) => (a === '0.0.0.0:9797' ? `127.0.0.1:${port}` : a)), '--log-format', 'json'];
  const caps = security.capabilities.add.map((c) => `CAP_${c}`).join(',');
  const agent = spawn('buildah', ['run', '--isolation', 'chroot', '--network', 'host', '--cap-add', caps, ctr, '--', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  // buildah ends the process it runs when it gets SIGTERM itself (SIGKILL would leave it behind).
  const exited = new Promise((r) => agent.once('exit', r));
  t.after(async () => {
    agent.kill('SIGTERM');
    await exited;
  });
  const lines: string[] = [];
  createInterface({ input: agent.stderr! }).on('line', (l) => lines.push(l));
  const logged = (re: RegExp) => until(async () => lines.find((l) => re.test(l)), (l) => l !== undefined || agent.exitCode !== null);

  const health = await until(() => fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.status).catch(() => 0), (s) => s !== 0 || agent.exitCode !== null);
  assert.equal(health, 200, lines.join('\n'));
  assert.match((await logged(/"msg":"capture: live eBPF capture/)) ?? '', /live eBPF capture/, lines.join('\n'));
  assert.match((await logged(/"msg":"privileges:/)) ?? '', /running as egresswatch/, lines.join('\n'));
});
