// AWS metadata labels, with the real AWS SDK against an EC2-API-compatible server on loopback:
// pagination, a throttling error retried by the SDK, an expired-credentials error that keeps
// the last snapshot, and the one-line "disabled" notice without credentials.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { whyNoAwsCredentials } from '../../src/external/sources/aws-environment.js';
import { clusterOfTags, createAwsMetadataSource } from '../../src/external/sources/aws-metadata-source.js';
import { testOutputDir } from '../helpers/paths.js';
import { startEc2TestServer, type Ec2TestServer } from './ec2-test-server.js';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

function fill(server: Ec2TestServer): void {
  server.interfaces.push(
    { id: 'eni-rds', zone: 'eu-west-1a', description: 'RDSNetworkInterface', requesterId: 'amazon-rds', privateIps: ['10.204.1.10'] },
    { id: 'eni-cache', zone: 'eu-west-1b', description: 'ElastiCache orders-redis-0001-001', requesterId: 'amazon-elasticache', privateIps: ['10.204.1.20'] },
    { id: 'eni-alb', zone: 'eu-west-1a', description: 'ELB app/orders-alb/50dc6c495c0c9188', requesterId: 'amazon-elb', privateIps: ['10.204.1.30'] },
    { id: 'eni-nlb', zone: 'eu-west-1c', description: 'ELB net/orders-nlb/0123456789abcdef', type: 'network_load_balancer', privateIps: ['10.204.1.31'] },
    { id: 'eni-nat', zone: 'eu-west-1a', description: 'Interface for NAT Gateway nat-0a1b2c3d4e5f67890', type: 'nat_gateway', privateIps: ['10.204.1.40'], publicIp: '198.51.100.40' },
    { id: 'eni-fn', zone: 'eu-west-1b', description: 'AWS Lambda VPC ENI-orders-worker-1f2e3d4c-5b6a-7980-1a2b-3c4d5e6f7a8b', type: 'lambda', privateIps: ['10.204.1.50'] },
    { id: 'eni-vpce', zone: 'eu-west-1a', description: 'VPC Endpoint Interface vpce-0123456789abcdef0', type: 'vpc_endpoint', privateIps: ['10.204.1.60'] },
    { id: 'eni-web', zone: 'eu-west-1a', description: 'Primary network interface', privateIps: ['10.204.1.70', '10.204.1.71'], ipv6: ['2001:DB8::70'], instanceId: 'i-0abc' },
  );
  server.instances.push({ id: 'i-0abc', name: 'web-1' });
}

test('DescribeNetworkInterfaces pages are all read through one throttling error, and every kind is named', async (t) => {
  const server = await startEc2TestServer();
  t.after(() => server.close());
  fill(server);
  server.failures.push({ action: 'DescribeNetworkInterfaces', code: 'RequestLimitExceeded', message: 'Request limit exceeded.', status: 503 });
  const lines: string[] = [];
  const aws = createAwsMetadataSource({ region: 'eu-west-1', endpoint: server.url, credentials, pageSize: 5, log: (l) => lines.push(l) });
  t.after(() => aws.stop());
  assert.equal(await aws.start(), true);
  const calls = server.requests.filter((r) => r.action === 'DescribeNetworkInterfaces');
  assert.equal(calls.length, 5, 'one throttled call, then four pages');
  assert.deepEqual(calls.map((c) => c.nextToken), [undefined, undefined, 'page-2', 'page-4', 'page-6']);
  assert.match(calls[0].authorization ?? '', /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\//, 'requests are signed by the SDK');
  const get = (ip: string) => aws.lookup({ ip });
  assert.deepEqual(get('10.204.1.10'), { ip: '10.204.1.10', provider: 'aws', service: 'rds', region: 'eu-west-1', source: 'aws', confidence: 0.95 });
  assert.equal(get('10.204.1.20')?.service, 'elasticache');
  assert.equal(get('10.204.1.20')?.resource, 'orders-redis-0001-001');
  assert.deepEqual([get('10.204.1.30')?.service, get('10.204.1.30')?.resource], ['alb', 'orders-alb']);
  assert.deepEqual([get('10.204.1.31')?.service, get('10.204.1.31')?.resource], ['nlb', 'orders-nlb']);
  assert.deepEqual([get('10.204.1.40')?.service, get('10.204.1.40')?.resource], ['nat-gateway', 'nat-0a1b2c3d4e5f67890']);
  assert.equal(get('198.51.100.40')?.service, 'nat-gateway', 'the public address of the NAT gateway too');
  assert.deepEqual([get('10.204.1.50')?.service, get('10.204.1.50')?.resource], ['lambda', 'orders-worker']);
  assert.deepEqual([get('10.204.1.60')?.service, get('10.204.1.60')?.resource], ['vpc-endpoint', 'vpce-0123456789abcdef0']);
  assert.deepEqual([get('10.204.1.71')?.service, get('10.204.1.71')?.resource], ['ec2', 'web-1'], 'own instance by its Name tag');
  assert.equal(get('2001:db8::70')?.resource, 'web-1');
  assert.equal(get('10.204.9.9'), undefined);
  assert.deepEqual(lines, ['aws metadata: 11 addresses from 8 network interfaces']);
});

test('an expired-credentials error keeps the last snapshot and is reported in one line', async (t) => {
  const server = await startEc2TestServer();
  t.after(() => server.close());
  fill(server);
  const lines: string[] = [];
  const aws = createAwsMetadataSource({ region: 'eu-west-1', endpoint: server.url, credentials, log: (l) => lines.push(l), maxAttempts: 2 });
  t.after(() => aws.stop());
  let changes = 0;
  aws.onChange = () => changes++;
  assert.equal(await aws.start(), true);
  assert.equal(changes, 1);
  server.failures.push({ action: 'DescribeNetworkInterfaces', code: 'ExpiredToken', message: 'The security token included in the request is expired', status: 400 });
  server.interfaces.length = 0;
  assert.equal(await aws.refresh(), false);
  assert.equal(aws.lookup({ ip: '10.204.1.10' })?.service, 'rds', 'still serving the previous snapshot');
  assert.equal(changes, 1, 'no change announced for a failed refresh');
  assert.equal(lines.length, 2);
  assert.match(lines[0], /^aws metadata: \d+ addresses from \d+ network interfaces$/);
  assert.match(lines[1], /^aws metadata: refresh failed, keeping \d+ known addresses \(ExpiredToken/);
  assert.ok(!lines[1].includes('\n'));
  // The next good refresh replaces the snapshot (now empty).
  assert.equal(await aws.refresh(), true);
  assert.equal(aws.lookup({ ip: '10.204.1.10' }), undefined);
});

test('without credentials the source disables itself with one line and labels nothing', async (t) => {
  const saved = { ...process.env };
  t.after(() => {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  });
  for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_CONTAINER_CREDENTIALS_FULL_URI']) delete process.env[k];
  // Keep the SDK's chain on this machine: no instance metadata service lookups.
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/credentials';
  process.env.AWS_CONFIG_FILE = '/nonexistent/config';
  const server = await startEc2TestServer();
  t.after(() => server.close());
  const lines: string[] = [];
  const aws = createAwsMetadataSource({ region: 'eu-west-1', endpoint: server.url, log: (l) => lines.push(l) });
  t.after(() => aws.stop());
  assert.equal(await aws.start(), false);
  assert.equal(lines.length, 1);
  assert.equal(lines[0], 'aws metadata: disabled (no AWS credentials in the environment or shared files, and not on EC2)');
  assert.equal(server.requests.length, 0, 'no API call without credentials');
  assert.equal(await aws.refresh(), false);
  // Told to use AWS anyway, the SDK's own chain runs (no instance metadata: disabled above) and fails in one line.
  const forced = createAwsMetadataSource({ enabled: true, region: 'eu-west-1', endpoint: server.url, log: (l) => lines.push(l) });
  t.after(() => forced.stop());
  assert.equal(await forced.start(), false);
  assert.equal(lines.length, 2);
  assert.match(lines[1], /^aws metadata: disabled \(\S/);
  assert.ok(!lines[1].includes('\n'));
  assert.equal(server.requests.length, 0);
});

test('credentials are expected from the environment, shared files or EC2, and nowhere else', () => {
  const none = { AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/c', AWS_CONFIG_FILE: '/nonexistent/c' };
  assert.match(whyNoAwsCredentials(none, '/nonexistent-sys') ?? '', /not on EC2/);
  assert.equal(whyNoAwsCredentials({ ...none, AWS_ACCESS_KEY_ID: 'x' }, '/nonexistent-sys'), undefined);
  assert.equal(whyNoAwsCredentials({ ...none, AWS_PROFILE: 'prod' }, '/nonexistent-sys'), undefined);
  const sys = join(testOutputDir('external'), 'fake-sys');
  mkdirSync(join(sys, 'class/dmi/id'), { recursive: true });
  writeFileSync(join(sys, 'class/dmi/id/sys_vendor'), 'Amazon EC2\n');
  assert.equal(whyNoAwsCredentials(none, sys), undefined);
  assert.match(whyNoAwsCredentials({ ...none, AWS_EC2_METADATA_DISABLED: 'true' }, sys) ?? '', /not on EC2/);
});

test("this host's zone and cluster come from its own interface and its instance's tags", async (t) => {
  const server = await startEc2TestServer();
  t.after(() => server.close());
  fill(server);
  server.interfaces.push({ id: 'eni-node', zone: 'eu-west-1c', description: 'aws-K8S-i-0node', privateIps: ['10.204.2.5'], instanceId: 'i-0node' });
  server.instances.push({ id: 'i-0node', name: 'node-5', tags: { 'aws:eks:cluster-name': 'orders-prod', 'kubernetes.io/cluster/orders-prod': 'owned' } });
  let own = ['192.0.2.9', '10.204.2.5'];
  const aws = createAwsMetadataSource({ region: 'eu-west-1', endpoint: server.url, credentials, ownAddresses: () => own });
  t.after(() => aws.stop());
  assert.equal(await aws.start(), true);
  assert.deepEqual(aws.placement(), { zone: 'eu-west-1c', cluster: 'orders-prod' });
  // An instance without a cluster tag: the zone alone.
  own = ['10.204.1.71'];
  assert.equal(await aws.refresh(), true);
  assert.deepEqual(aws.placement(), { zone: 'eu-west-1a' });
  // A host whose interface is not in the VPC's list: nothing is guessed.
  own = ['192.0.2.9'];
  assert.equal(await aws.refresh(), true);
  assert.deepEqual(aws.placement(), {});
});

test('the cluster tag is read as EKS, eksctl and the Kubernetes cloud provider write it', () => {
  assert.equal(clusterOfTags([{ Key: 'eks:cluster-name', Value: 'a' }]), 'a');
  assert.equal(clusterOfTags([{ Key: 'alpha.eksctl.io/cluster-name', Value: 'b' }]), 'b');
  assert.equal(clusterOfTags([{ Key: 'kubernetes.io/cluster/c', Value: 'shared' }]), 'c');
  assert.equal(clusterOfTags([{ Key: 'kubernetes.io/cluster/d', Value: 'other' }]), undefined);
  assert.equal(clusterOfTags([{ Key: 'Name', Value: 'web-1' }]), undefined);
});
