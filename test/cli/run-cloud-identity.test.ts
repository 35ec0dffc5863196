// `egresswatch run` on a host the VPC's metadata knows: with no zone or cluster configured, its
// series take the zone of its own network interface and the cluster tag of its instance, read
// through the real AWS SDK from an EC2-API-compatible server on loopback. A configured zone wins.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startEc2TestServer } from '../external/ec2-test-server.js';
import { logLine, startRun, stop } from '../helpers/run-process.js';
import { until } from '../helpers/until.js';

const ownAddress = Object.values(networkInterfaces()).flatMap((l) => l ?? []).find((a) => !a.internal && a.family === 'IPv4')?.address;
const credentials = { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', AWS_REGION: 'eu-west-1' };

async function agentWith(t: { after: (fn: () => unknown) => void }, identity: string) {
  const ec2 = await startEc2TestServer();
  t.after(() => ec2.close());
  ec2.interfaces.push({ id: 'eni-node', zone: 'eu-west-1c', description: 'aws-K8S-i-0node', privateIps: [ownAddress!], instanceId: 'i-0node' });
  ec2.instances.push({ id: 'i-0node', name: 'node-5', tags: { 'aws:eks:cluster-name': 'orders-prod' } });
  // A TCP check, so that a probe_* series shows the identity too.
  const listener = createServer((s) => s.end());
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  t.after(() => listener.close());
  const port = (listener.address() as { port: number }).port;
  const dir = mkdtempSync(join(tmpdir(), 'ew-cloud-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'config.yml'), `${identity}labels:\n  aws: {enabled: true, endpoint: "${ec2.url}"}\nchecks:\n  - {name: port, type: tcp, target: "127.0.0.1:${port}", interval: 1s, timeout: 1s}\n`);
  const run = await startRun(['--config', join(dir, 'config.yml'), '--data', join(dir, 'data'), '--host', 'node-5'], { cwd: dir, env: credentials });
  t.after(() => run.child.kill('SIGKILL'));
  return run;
}

const metricsOf = async (url: string) => (await fetch(`${url}metrics`)).text();

test('zone and cluster come from AWS metadata when not configured', { skip: !ownAddress && 'no non-loopback IPv4 address', timeout: 60_000 }, async (t) => {
  const run = await agentWith(t, '');
  const line = await logLine(run, (l) => l.msg.startsWith('identity:'));
  assert.equal(line.msg, 'identity: zone eu-west-1c, cluster orders-prod, from AWS metadata');
  const text = await until(() => metricsOf(run.url), (m) => /^probe_success\{/m.test(m));
  assert.match(text, /^egresswatch_build_info\{version="[^"]+",host="node-5",cluster="orders-prod",zone="eu-west-1c"\} 1$/m);
  assert.match(text, /^probe_success\{check="port",provider="[^"]*",target="127\.0\.0\.1:\d+",host="node-5",cluster="orders-prod",zone="eu-west-1c"\} 1$/m);
  assert.equal(await stop(run), 0);
});

test('a configured zone is kept; the cluster still comes from metadata', { skip: !ownAddress && 'no non-loopback IPv4 address', timeout: 60_000 }, async (t) => {
  const run = await agentWith(t, 'identity:\n  zone: rack-7\n');
  const line = await logLine(run, (l) => l.msg.startsWith('identity:'));
  assert.equal(line.msg, 'identity: cluster orders-prod, from AWS metadata');
  const text = await metricsOf(run.url);
  assert.match(text, /^egresswatch_build_info\{version="[^"]+",host="node-5",cluster="orders-prod",zone="rack-7"\} 1$/m);
  assert.equal(await stop(run), 0);
});
