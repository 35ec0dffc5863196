// Real-software scenarios for the DNS analysis: glibc (getent), dig and Node look names up in an
// app namespace through a DNATed cluster-DNS address served by unbound. Each fault must produce
// its finding (resolver stopped → resolver_down, zone forwarded to a dead upstream →
// upstream_failure, one DNS reply dropped by iptables → conntrack_race, ndots:5 with search
// domains → ndots_amplification) and the clean scenario none. Every scenario is analysed live
// (`egresswatch dns report --duration`, eBPF capture inside the namespace) and recorded by
// tcpdump; replaying the recording (`dns report --pcap`) must give the same findings.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isRoot, repoRoot, testOutputDir } from '../helpers/paths.js';
import { APP_NS, DnsLab, RESOLVER_IP, RESOLV_CONF, sh } from './dns-lab.js';

const hasTools = ['unbound', 'tcpdump', 'dig', 'getent', 'iptables'].every((t) => ['/usr/sbin', '/usr/bin', '/sbin', '/bin'].some((d) => existsSync(join(d, t))));
const skip = !isRoot ? 'needs root (namespaces, iptables, eBPF)' : !hasTools ? 'needs unbound, tcpdump, dig, getent and iptables (scripts/install-system-packages.sh)' : false;

interface Finding {
  kind: string;
  severity: string;
  resolver: string | null;
  zone: string | null;
  count: number;
  processes: string[];
  evidence: Record<string, unknown>;
}

interface Report {
  transactions: number;
  resolvers: { server: string; role: string; queries: number; answered: number; timeouts: number; rcodes: Record<string, number> }[];
  findings: Finding[];
  ndots: { process: string; wastedPerLookup: number }[];
  capture: { events: Record<string, number> };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function collect(p: ChildProcess): { out: Promise<string>; code: Promise<number | null> } {
  let out = '';
  let err = '';
  p.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  p.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const code = new Promise<number | null>((resolve) => p.once('exit', (c) => resolve(c)));
  return { out: code.then((c) => (c === 0 ? out : Promise.reject(new Error(`exit ${c}: ${err.trim()}`)))), code };
}

const reportArgs = ['--json', '--resolv-conf', RESOLV_CONF, '--cluster-dns', RESOLVER_IP];

/** Runs a command in the app namespace and waits for it; lookups that fail are expected. */
function inApp(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve) => {
    const p = spawn('ip', ['netns', 'exec', APP_NS, cmd, ...args], { stdio: 'ignore' });
    p.once('exit', () => resolve());
    p.once('error', () => resolve());
  });
}

const getent = (name: string) => inApp('getent', ['ahosts', name]);
const dig = (name: string, time = 2) => inApp('dig', [`+time=${time}`, '+tries=1', name]);
const nodeLookup = (name: string) => inApp(process.execPath, ['-e', `require('node:dns').lookup(${JSON.stringify(name)}, { all: true }, () => {})`]);

/** Packet sockets open in the app namespace (the live capture's and tcpdump's). */
function packetSockets(): number {
  return sh('cat', ['/proc/net/packet'], { ns: APP_NS }).trim().split('\n').length - 1;
}

async function runScenario(name: string, actions: () => Promise<void>): Promise<{ live: Report; replay: Report }> {
  const pcap = join(testOutputDir('dns-scenarios'), `${name}.pcap`);
  rmSync(pcap, { force: true });
  const liveProc = spawn('ip', ['netns', 'exec', APP_NS, process.execPath, join(repoRoot, 'bin/egresswatch.js'), 'dns', 'report', '--duration', '600', ...reportArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
  const live = collect(liveProc);
  const liveReady = new Promise<void>((resolve) => {
    let err = '';
    liveProc.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('capturing DNS live')) resolve();
    });
    liveProc.once('exit', () => resolve());
  });
  const tcpdump = spawn('ip', ['netns', 'exec', APP_NS, 'tcpdump', '-i', 'ewdns-a', '-n', '--immediate-mode', '-U', '-w', pcap, 'port 53'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const dumped = collect(tcpdump);
  try {
    // Live capture says when it runs; tcpdump has its packet socket open.
    await liveReady;
    for (let i = 0; i < 200 && packetSockets() < 2; i++) await sleep(50);
    await sleep(300);
    await actions();
    await sleep(1500);
  } finally {
    liveProc.kill('SIGINT');
    tcpdump.kill('SIGINT');
  }
  const liveReport = JSON.parse(await live.out) as Report;
  await dumped.code;
  const replayProc = spawn(process.execPath, [join(repoRoot, 'bin/egresswatch.js'), 'dns', 'report', '--pcap', pcap, ...reportArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
  const replayReport = JSON.parse(await collect(replayProc).out) as Report;
  // Kept beside the recording for whoever reads a failure.
  writeFileSync(pcap.replace(/\.pcap$/, '.live.json'), JSON.stringify(liveReport, null, 1));
  writeFileSync(pcap.replace(/\.pcap$/, '.replay.json'), JSON.stringify(replayReport, null, 1));
  return { live: liveReport, replay: replayReport };
}

/**
 * What must agree between live analysis and replay: the kinds, resolvers and zones of the
 * findings. Live capture knows processes and may split a finding per process; replay cannot.
 */
function shape(r: Report): string[] {
  return [...new Set(r.findings.map((f) => `${f.kind} ${f.resolver ?? '-'} ${f.zone ?? '-'}`))].sort();
}

function kinds(r: Report): string[] {
  return [...new Set(r.findings.map((f) => f.kind))].sort();
}

describe('DNS scenarios in namespaces (unbound behind a DNATed service address)', { skip }, () => {
  let lab: DnsLab;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ewdns-'));
    lab = new DnsLab(dir);
    lab.setup();
    await lab.startResolver();
  });

  after(async () => {
    await lab?.stopResolver();
    lab?.teardown();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('clean: glibc, dig and Node lookups give no findings', async () => {
    lab.writeResolvConf('');
    const { live, replay } = await runScenario('clean', async () => {
      await getent('api.example.com');
      await dig('www.example.com');
      await nodeLookup('pay.example.com');
      await getent('kubernetes.default.svc.cluster.local');
    });
    for (const r of [live, replay]) {
      assert.deepEqual(r.findings, [], JSON.stringify(r.findings));
      const res = r.resolvers.find((x) => x.server === RESOLVER_IP);
      assert.ok(res, JSON.stringify(r.resolvers));
      assert.equal(res.role, 'cluster-dns');
      assert.ok(res.queries >= 7, `queries ${res.queries}`);
      assert.equal(res.answered, res.queries);
      assert.equal(res.timeouts, 0);
    }
    assert.equal(replay.transactions, live.transactions);
  });

  test('ndots:5 with search domains: ndots_amplification', async () => {
    lab.writeResolvConf('search default.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n');
    const { live, replay } = await runScenario('ndots', async () => {
      await getent('api.example.com');
      await getent('www.example.com');
      await nodeLookup('pay.example.com');
    });
    for (const r of [live, replay]) {
      assert.deepEqual(kinds(r), ['ndots_amplification'], JSON.stringify(r.findings));
      const f = r.findings[0];
      assert.equal(f.evidence.wastedPerLookup, 3, 'three search suffixes tried per real lookup (per address family)');
      assert.ok(f.count >= 12, `wasted ${f.count}`);
    }
    assert.deepEqual(shape(replay), shape(live));
    assert.ok(live.findings[0].processes.some((p) => p.startsWith('getent')), `live knows the process: ${live.findings[0].processes}`);
  });

  test('zone forwarded to a dead upstream: upstream_failure names the zone', async () => {
    lab.writeResolvConf('');
    const { live, replay } = await runScenario('upstream-failure', async () => {
      const failing = Promise.all([getent('shop.example.org'), getent('cdn.example.org'), dig('x.example.org', 3)]);
      for (let i = 0; i < 4; i++) {
        await getent('api.example.com');
        await sleep(1000);
      }
      await failing;
      // Traffic after the failures, so the replayed capture's clock passes their timeout.
      for (let i = 0; i < 6; i++) {
        await dig('www.example.com');
        await sleep(1000);
      }
    });
    for (const r of [live, replay]) {
      const f = r.findings.find((x) => x.kind === 'upstream_failure');
      assert.ok(f, JSON.stringify(r.findings));
      assert.equal(f.zone, 'example.org');
      assert.equal(f.resolver, RESOLVER_IP);
      assert.ok(!r.findings.some((x) => x.kind === 'resolver_down' || x.kind === 'conntrack_race'), JSON.stringify(r.findings));
    }
    assert.deepEqual(shape(replay), shape(live));
  });

  test('one DNS reply of a parallel A/AAAA pair dropped by iptables: conntrack_race', async () => {
    lab.writeResolvConf('');
    const dropSecondReply = ['INPUT', '-p', 'udp', '--sport', '53', '-m', 'statistic', '--mode', 'nth', '--every', '1000000', '--packet', '1', '-j', 'DROP'];
    const { live, replay } = await runScenario('conntrack-race', async () => {
      for (const name of ['api.example.com', 'www.example.com']) {
        // A fresh rule each time: its counter drops exactly the second reply after insertion.
        sh('iptables', ['-I', ...dropSecondReply], { ns: APP_NS });
        try {
          await getent(name);
        } finally {
          sh('iptables', ['-D', ...dropSecondReply], { ns: APP_NS });
        }
      }
      await dig('pay.example.com');
    });
    for (const r of [live, replay]) {
      assert.deepEqual(kinds(r), ['conntrack_race'], JSON.stringify(r.findings));
      const f = r.findings[0];
      assert.equal(f.count, 2);
      assert.ok((f.evidence.meanStallMs as number) >= 4000, `stall ${f.evidence.meanStallMs}`);
    }
    assert.deepEqual(shape(replay), shape(live));
    const lf = live.findings[0];
    assert.ok(lf.processes.some((p) => p.startsWith('getent')), `processes ${lf.processes}`);
    assert.ok((lf.evidence.netfilterDrops as number) >= 1, `live sees the netfilter drops: ${JSON.stringify(lf.evidence)}`);
    assert.equal(lf.evidence.corroborated, true);
  });

  test('resolver stopped: resolver_down', async () => {
    lab.writeResolvConf('');
    const { live, replay } = await runScenario('resolver-down', async () => {
      await getent('api.example.com');
      await lab.stopResolver();
      await getent('www.example.com');
      await dig('pay.example.com');
      await dig('api.example.com');
      await sleep(6000);
      // One more query so the replayed capture's clock passes the others' timeout.
      await dig('www.example.com', 1);
    });
    for (const r of [live, replay]) {
      const f = r.findings.find((x) => x.kind === 'resolver_down');
      assert.ok(f, JSON.stringify(r.findings));
      assert.equal(f.resolver, RESOLVER_IP);
      assert.ok(f.count >= 3);
    }
    assert.deepEqual(shape(replay), shape(live));
    await lab.startResolver();
  });
});
