// A small cluster-DNS lab in network namespaces for the DNS analysis tests: an app namespace
// whose resolv.conf names a service address that iptables DNATs (as kube-proxy does) to a real
// unbound in a resolver namespace. unbound serves example.com and cluster.local itself and
// forwards example.org to an upstream whose packets are dropped (a dead upstream).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const APP_NS = 'ewdns-app';
export const RES_NS = 'ewdns-res';
export const APP_IP = '10.203.1.2';
export const RESOLVER_IP = '10.203.1.1';
/** The cluster DNS service address clients use; iptables rewrites it to RESOLVER_IP. */
export const SERVICE_IP = '10.203.100.10';
const DEAD_UPSTREAM = '10.203.9.9';
const APP_IF = 'ewdns-a';
const RES_IF = 'ewdns-r';
export const RESOLV_CONF = `/etc/netns/${APP_NS}/resolv.conf`;

export function sh(cmd: string, args: string[], opts: { ns?: string; allowFail?: boolean } = {}): string {
  const argv = opts.ns ? ['netns', 'exec', opts.ns, cmd, ...args] : args;
  try {
    return execFileSync(opts.ns ? 'ip' : cmd, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    if (opts.allowFail) return '';
    throw new Error(`${cmd} ${args.join(' ')}${opts.ns ? ` (in ${opts.ns})` : ''} failed: ${String((err as { stderr?: string }).stderr ?? err).trim()}`);
  }
}

export class DnsLab {
  private unbound: ChildProcess | undefined;

  constructor(private readonly dir: string) {}

  setup(): void {
    this.teardown();
    sh('ip', ['netns', 'add', APP_NS]);
    sh('ip', ['netns', 'add', RES_NS]);
    sh('ip', ['link', 'add', APP_IF, 'type', 'veth', 'peer', 'name', RES_IF]);
    sh('ip', ['link', 'set', APP_IF, 'netns', APP_NS]);
    sh('ip', ['link', 'set', RES_IF, 'netns', RES_NS]);
    for (const [ns, dev, ip] of [[APP_NS, APP_IF, APP_IP], [RES_NS, RES_IF, RESOLVER_IP]]) {
      sh('ip', ['addr', 'add', `${ip}/24`, 'dev', dev], { ns });
      sh('ip', ['link', 'set', dev, 'up'], { ns });
      sh('ip', ['link', 'set', 'lo', 'up'], { ns });
    }
    sh('ip', ['route', 'add', '10.203.100.0/24', 'via', RESOLVER_IP], { ns: APP_NS });
    // kube-proxy's rewrite of the service address, done on the app's host: conntrack + DNAT.
    for (const proto of ['udp', 'tcp']) {
      sh('iptables', ['-t', 'nat', '-A', 'OUTPUT', '-d', SERVICE_IP, '-p', proto, '--dport', '53', '-j', 'DNAT', '--to-destination', `${RESOLVER_IP}:53`], { ns: APP_NS });
    }
    // The dead upstream: an address in the resolver namespace whose packets vanish.
    sh('ip', ['addr', 'add', `${DEAD_UPSTREAM}/32`, 'dev', 'lo'], { ns: RES_NS });
    sh('iptables', ['-A', 'INPUT', '-d', DEAD_UPSTREAM, '-j', 'DROP'], { ns: RES_NS });
    this.writeResolvConf('');
  }

  /** Writes the app namespace's resolv.conf (ip netns exec mounts it over /etc/resolv.conf). */
  writeResolvConf(extra: string): void {
    mkdirSync(`/etc/netns/${APP_NS}`, { recursive: true });
    writeFileSync(RESOLV_CONF, `nameserver ${SERVICE_IP}\n${extra}`);
  }

  async startResolver(): Promise<void> {
    const conf = join(this.dir, 'unbound.conf');
    writeFileSync(conf, `server:
  interface: ${RESOLVER_IP}
  port: 53
  access-control: 10.203.0.0/16 allow
  do-ip6: no
  username: ""
  chroot: ""
  directory: "${this.dir}"
  pidfile: ""
  use-syslog: no
  logfile: ""
  verbosity: 0
  module-config: "iterator"
  do-not-query-localhost: no
  num-threads: 1
  # Nothing leaves the lab: names outside the zones below are refused.
  local-zone: "." refuse
  local-zone: "example.com." static
  local-data: "api.example.com. 30 IN A 10.203.50.1"
  local-data: "www.example.com. 30 IN A 10.203.50.2"
  local-data: "pay.example.com. 30 IN A 10.203.50.3"
  local-zone: "cluster.local." static
  local-data: "kubernetes.default.svc.cluster.local. 30 IN A 10.203.100.1"
  local-zone: "example.org." transparent
forward-zone:
  name: "example.org."
  forward-addr: ${DEAD_UPSTREAM}
`);
    this.unbound = spawn('ip', ['netns', 'exec', RES_NS, 'unbound', '-d', '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    this.unbound.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    for (let i = 0; i < 100; i++) {
      const out = sh('dig', [`@${RESOLVER_IP}`, '+time=1', '+tries=1', '+short', 'api.example.com'], { ns: APP_NS, allowFail: true });
      if (out.includes('10.203.50.1')) return;
      if (this.unbound.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`unbound did not start: ${stderr.trim()}`);
  }

  async stopResolver(): Promise<void> {
    const p = this.unbound;
    this.unbound = undefined;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    await exited;
  }

  teardown(): void {
    if (this.unbound && this.unbound.exitCode === null) this.unbound.kill('SIGKILL');
    sh('ip', ['netns', 'del', APP_NS], { allowFail: true });
    sh('ip', ['netns', 'del', RES_NS], { allowFail: true });
    rmSync(`/etc/netns/${APP_NS}`, { recursive: true, force: true });
  }
}
