// Labels our own VPC's addresses from AWS metadata: DescribeNetworkInterfaces (and instance Name
// tags from DescribeInstances), paginated, retried on throttling by the SDK, refreshed on an
// interval and served from the last good snapshot. Without credentials it disables itself and
// says so in one line; a failed refresh keeps the previous snapshot. This host's own interface
// among them gives its zone, and its instance's tags its cluster (the identity of its series).
import { networkInterfaces } from 'node:os';
import { EC2Client, paginateDescribeInstances, paginateDescribeNetworkInterfaces, type NetworkInterface, type Tag } from '@aws-sdk/client-ec2';
import { canonicalIp } from '../ip/ip-address.js';
import { oneLine } from '../../errors.js';
import { addressesOf, labelInterface, type InterfaceLabel } from './aws-interface-label.js';
import { whyNoAwsCredentials } from './aws-environment.js';
import type { EndpointLabel, LabelQuery } from '../endpoint-label.js';
import type { AwsLikeSource } from '../labeler.js';

export interface AwsMetadataOptions {
  /** "auto" stays quiet about missing credentials beyond one line; true reports it as a problem. */
  enabled?: boolean | 'auto';
  region?: string;
  profile?: string;
  /** EC2 API endpoint override (VPC endpoint, or a test server). */
  endpoint?: string;
  refreshIntervalMs?: number;
  /** Static credentials (tests); default: the SDK's default provider chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** SDK attempts per call, throttling retries included (default 4). */
  maxAttempts?: number;
  pageSize?: number;
  /** Where the one-line notices go (disabled, refresh failed). */
  log?: (line: string) => void;
  /** This host's own addresses, to find its interfaces among the VPC's (default: the interfaces' addresses). */
  ownAddresses?: () => string[];
}

/** Where this host runs, as the VPC's metadata says: its interface's zone and its instance's cluster tag. */
export interface AwsPlacement {
  zone?: string;
  cluster?: string;
}

export interface AwsMetadataSource extends AwsLikeSource {
  /** Checks credentials and loads the first snapshot; resolves false when disabled. Never throws. */
  start(): Promise<boolean>;
  /** One refresh now; resolves true when the snapshot was replaced. Never throws. */
  refresh(): Promise<boolean>;
  /** This host's zone and cluster from the last snapshot (empty when its interface is not in it). */
  placement(): AwsPlacement;
  stop(): void;
}

export function createAwsMetadataSource(options: AwsMetadataOptions = {}): AwsMetadataSource {
  const log = options.log ?? (() => {});
  let client: EC2Client | undefined;
  let byIp = new Map<string, InterfaceLabel>();
  let placement: AwsPlacement = {};
  let timer: NodeJS.Timeout | undefined;
  let disabled = false;
  let loadedOnce = false;
  let running: Promise<boolean> | undefined;

  function makeClient(): EC2Client {
    return new EC2Client({
      ...(options.region ? { region: options.region } : {}),
      ...(options.profile ? { profile: options.profile } : {}),
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
      maxAttempts: options.maxAttempts ?? 4,
    });
  }

  async function load(c: EC2Client): Promise<void> {
    const pageSize = options.pageSize ?? 1000;
    const names = new Map<string, string>();
    const clusters = new Map<string, string>();
    try {
      for await (const page of paginateDescribeInstances({ client: c, pageSize }, {})) {
        for (const r of page.Reservations ?? []) {
          for (const i of r.Instances ?? []) {
            const name = i.Tags?.find((t) => t.Key === 'Name')?.Value;
            if (i.InstanceId && name) names.set(i.InstanceId, name);
            const cluster = clusterOfTags(i.Tags ?? []);
            if (i.InstanceId && cluster) clusters.set(i.InstanceId, cluster);
          }
        }
      }
    } catch (err) {
      // Without ec2:DescribeInstances instances are named by id; interfaces still load.
      log(`aws metadata: instance names unavailable (${describeError(err)})`);
    }
    const next = new Map<string, InterfaceLabel>();
    const own = new Set((options.ownAddresses ?? interfaceAddresses)().map(canonicalIp));
    let ownInterface: NetworkInterface | undefined;
    let interfaces = 0;
    for await (const page of paginateDescribeNetworkInterfaces({ client: c, pageSize }, {})) {
      for (const ni of page.NetworkInterfaces ?? ([] as NetworkInterface[])) {
        interfaces++;
        const label = labelInterface(ni, names);
        for (const ip of addressesOf(ni)) {
          next.set(ip, label);
          if (own.has(ip)) ownInterface ??= ni;
        }
      }
    }
    byIp = next;
    const instance = ownInterface?.Attachment?.InstanceId;
    placement = {
      ...(ownInterface?.AvailabilityZone ? { zone: ownInterface.AvailabilityZone } : {}),
      ...(instance && clusters.has(instance) ? { cluster: clusters.get(instance) } : {}),
    };
    if (!loadedOnce) log(`aws metadata: ${next.size} addresses from ${interfaces} network interfaces`);
    loadedOnce = true;
  }

  async function refreshOnce(): Promise<boolean> {
    if (!client || disabled) return false;
    try {
      await load(client);
      source.onChange?.();
      return true;
    } catch (err) {
      log(`aws metadata: refresh failed, keeping ${byIp.size} known addresses (${describeError(err)})`);
      return false;
    }
  }

  const source: AwsMetadataSource = {
    name: 'aws',
    onChange: undefined,
    lookup(query: LabelQuery): EndpointLabel | undefined {
      const l = byIp.get(query.ip);
      if (!l) return undefined;
      const label: EndpointLabel = { ip: query.ip, provider: 'aws', service: l.service, source: 'aws', confidence: 0.95 };
      if (l.region) label.region = l.region;
      if (l.resource) label.resource = l.resource;
      return label;
    },
    async start() {
      if (options.enabled === false) {
        disabled = true;
        return false;
      }
      // "auto" does not make the SDK probe the instance metadata service on hosts outside EC2.
      const why = options.enabled === true || options.credentials ? undefined : whyNoAwsCredentials();
      if (why) {
        disabled = true;
        log(`aws metadata: disabled (${why})`);
        return false;
      }
      try {
        client = makeClient();
        await client.config.credentials();
        await client.config.region();
      } catch (err) {
        disabled = true;
        client?.destroy();
        client = undefined;
        log(`aws metadata: disabled (${options.enabled === true ? '' : 'no credentials or region: '}${describeError(err)})`);
        return false;
      }
      await refreshOnce();
      const interval = options.refreshIntervalMs ?? 5 * 60_000;
      timer = setInterval(() => void source.refresh(), interval);
      timer.unref();
      return true;
    },
    placement() {
      return placement;
    },
    refresh() {
      // One refresh at a time: a slow API must not pile up calls.
      running ??= refreshOnce().finally(() => (running = undefined));
      return running;
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      client?.destroy();
      client = undefined;
    },
  };
  return source;
}

/** The cluster an instance belongs to, from the tags EKS, eksctl and the Kubernetes cloud provider put on it. */
export function clusterOfTags(tags: readonly Tag[]): string | undefined {
  for (const key of ['aws:eks:cluster-name', 'eks:cluster-name', 'alpha.eksctl.io/cluster-name']) {
    const value = tags.find((t) => t.Key === key)?.Value;
    if (value) return value;
  }
  const owned = tags.find((t) => t.Key?.startsWith('kubernetes.io/cluster/') && (t.Value === 'owned' || t.Value === 'shared'));
  return owned?.Key?.slice('kubernetes.io/cluster/'.length) || undefined;
}

/** This host's addresses outside loopback. */
function interfaceAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((list) => (list ?? []).filter((a) => !a.internal).map((a) => a.address));
}

/** "Code: message" from an SDK error, on one line. */
function describeError(err: unknown): string {
  const e = err as { name?: string; Code?: string; message?: string };
  const code = e.Code ?? e.name;
  const text = oneLine(err);
  return code && !text.startsWith(code) ? `${code}: ${text}` : text;
}
