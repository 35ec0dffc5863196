// Names what an AWS elastic network interface belongs to (RDS, ElastiCache, a load balancer, a
// NAT gateway, a Lambda function, a VPC endpoint, one of our instances) from its type,
// description and requester, as DescribeNetworkInterfaces reports them.
import type { NetworkInterface } from '@aws-sdk/client-ec2';
import { canonicalIp } from '../ip/ip-address.js';

export interface InterfaceLabel {
  service: string;
  resource?: string;
  region?: string;
}

/** "eu-west-1a" → "eu-west-1"; local and wavelength zones keep their parent region's prefix. */
export function regionOfZone(zone: string | undefined): string | undefined {
  const m = zone ? /^([a-z]{2}(?:-[a-z]+)+-\d+)/.exec(zone) : null;
  return m ? m[1] : undefined;
}

/** Classifies one interface; instanceNames maps instance ids to their Name tags. */
export function labelInterface(ni: NetworkInterface, instanceNames: ReadonlyMap<string, string>): InterfaceLabel {
  const region = regionOfZone(ni.AvailabilityZone);
  const desc = ni.Description ?? '';
  const type = ni.InterfaceType ?? 'interface';
  const requester = ni.RequesterId ?? '';
  const out = (service: string, resource?: string): InterfaceLabel => ({ service, ...(resource ? { resource } : {}), ...(region ? { region } : {}) });
  let m: RegExpExecArray | null;
  if (desc.startsWith('RDSNetworkInterface') || requester === 'amazon-rds') return out('rds');
  if ((m = /^ElastiCache\s+(\S+)/.exec(desc)) || requester === 'amazon-elasticache') return out('elasticache', m?.[1]);
  if ((m = /^ELB (app|net|gwy)\/([^/]+)\//.exec(desc))) return out(m[1] === 'app' ? 'alb' : m[1] === 'net' ? 'nlb' : 'gwlb', m[2]);
  if ((m = /^ELB (\S+)$/.exec(desc))) return out('elb', m[1]);
  if (type === 'network_load_balancer') return out('nlb');
  if (type === 'gateway_load_balancer') return out('gwlb');
  if (type === 'natGateway' || (type as string) === 'nat_gateway' || (m = /^Interface for NAT Gateway (nat-[0-9a-f]+)/.exec(desc))) {
    return out('nat-gateway', m?.[1] ?? /nat-[0-9a-f]+/.exec(desc)?.[0]);
  }
  if (type === 'lambda' || desc.startsWith('AWS Lambda VPC ENI')) {
    // "AWS Lambda VPC ENI-<function>-<uuid>": the function name may itself contain dashes.
    const fn = /^AWS Lambda VPC ENI-(.+)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.exec(desc)?.[1];
    return out('lambda', fn);
  }
  if (type === 'vpc_endpoint' || (m = /^VPC Endpoint Interface (vpce-[0-9a-f]+)/.exec(desc))) return out('vpc-endpoint', m?.[1] ?? /vpce-[0-9a-f]+/.exec(desc)?.[0]);
  if (type === 'gateway_load_balancer_endpoint') return out('vpc-endpoint', /vpce-[0-9a-f]+/.exec(desc)?.[0]);
  if (type === 'transit_gateway') return out('transit-gateway');
  if (type === 'api_gateway_managed') return out('api-gateway');
  if (desc.startsWith('EFS mount target')) return out('efs', /fs-[0-9a-f]+/.exec(desc)?.[0]);
  if (desc.startsWith('arn:aws:ecs:')) return out('ecs');
  if (desc.startsWith('Amazon EKS')) return out('eks', desc.slice('Amazon EKS'.length).trim() || undefined);
  const instance = ni.Attachment?.InstanceId;
  if (instance) {
    const name = instanceNames.get(instance) ?? ni.TagSet?.find((t) => t.Key === 'Name')?.Value;
    return out('ec2', name ?? instance);
  }
  return out('vpc', ni.TagSet?.find((t) => t.Key === 'Name')?.Value ?? (desc || ni.NetworkInterfaceId));
}

/** Every address of an interface: private IPv4s, their public associations, IPv6. */
export function addressesOf(ni: NetworkInterface): string[] {
  const out = new Set<string>();
  if (ni.PrivateIpAddress) out.add(ni.PrivateIpAddress);
  for (const p of ni.PrivateIpAddresses ?? []) {
    if (p.PrivateIpAddress) out.add(p.PrivateIpAddress);
    if (p.Association?.PublicIp) out.add(p.Association.PublicIp);
  }
  if (ni.Association?.PublicIp) out.add(ni.Association.PublicIp);
  for (const v6 of ni.Ipv6Addresses ?? []) if (v6.Ipv6Address) out.add(canonicalIp(v6.Ipv6Address));
  return [...out];
}
