// An EC2-API-compatible HTTP server on loopback for the AWS metadata tests: answers
// DescribeNetworkInterfaces (in pages, with NextToken) and DescribeInstances in the EC2 query
// protocol's XML, and returns scripted errors (throttling, expired credentials) when told to.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeInterface {
  id: string;
  zone: string;
  description: string;
  type?: string;
  requesterId?: string;
  privateIps: string[];
  publicIp?: string;
  ipv6?: string[];
  instanceId?: string;
}

export interface FakeInstance {
  id: string;
  name: string;
  /** Tags besides Name. */
  tags?: Record<string, string>;
}

export interface Ec2TestServer {
  url: string;
  interfaces: FakeInterface[];
  instances: FakeInstance[];
  /** Errors to return, in order, before answering normally: {code, status}. */
  failures: { action: string; code: string; message: string; status: number }[];
  /** Every request: action and the NextToken it carried. */
  requests: { action: string; nextToken?: string; authorization?: string }[];
  pageSize: number;
  close(): Promise<void>;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function interfaceXml(ni: FakeInterface): string {
  const ips = ni.privateIps
    .map((ip, i) => `<item><privateIpAddress>${ip}</privateIpAddress><primary>${i === 0}</primary>${i === 0 && ni.publicIp ? `<association><publicIp>${ni.publicIp}</publicIp></association>` : ''}</item>`)
    .join('');
  const v6 = (ni.ipv6 ?? []).map((a) => `<item><ipv6Address>${a}</ipv6Address></item>`).join('');
  return `<item><networkInterfaceId>${ni.id}</networkInterfaceId><availabilityZone>${ni.zone}</availabilityZone>` +
    `<description>${esc(ni.description)}</description><interfaceType>${ni.type ?? 'interface'}</interfaceType>` +
    (ni.requesterId ? `<requesterId>${ni.requesterId}</requesterId><requesterManaged>true</requesterManaged>` : '') +
    `<privateIpAddress>${ni.privateIps[0]}</privateIpAddress><privateIpAddressesSet>${ips}</privateIpAddressesSet>` +
    `<ipv6AddressesSet>${v6}</ipv6AddressesSet>` +
    (ni.instanceId ? `<attachment><attachmentId>eni-attach-1</attachmentId><instanceId>${ni.instanceId}</instanceId><status>attached</status></attachment>` : '') +
    `<tagSet/></item>`;
}

export async function startEc2TestServer(): Promise<Ec2TestServer> {
  const state: Omit<Ec2TestServer, 'url' | 'close'> = { interfaces: [], instances: [], failures: [], requests: [], pageSize: 2 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const action = form.get('Action') ?? '';
      const nextToken = form.get('NextToken') ?? undefined;
      state.requests.push({ action, nextToken, authorization: req.headers.authorization });
      const i = state.failures.findIndex((f) => f.action === action);
      if (i >= 0) {
        const f = state.failures.splice(i, 1)[0];
        res.writeHead(f.status, { 'content-type': 'text/xml' });
        res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${f.code}</Code><Message>${esc(f.message)}</Message></Error></Errors><RequestID>req-${state.requests.length}</RequestID></Response>`);
        return;
      }
      const start = nextToken ? Number(nextToken.replace('page-', '')) : 0;
      let body: string;
      if (action === 'DescribeNetworkInterfaces') {
        const page = state.interfaces.slice(start, start + state.pageSize);
        const more = start + state.pageSize < state.interfaces.length;
        body = `<DescribeNetworkInterfacesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId>` +
          `<networkInterfaceSet>${page.map(interfaceXml).join('')}</networkInterfaceSet>` +
          (more ? `<nextToken>page-${start + state.pageSize}</nextToken>` : '') + `</DescribeNetworkInterfacesResponse>`;
      } else if (action === 'DescribeInstances') {
        const tagXml = (tags: Record<string, string>) => Object.entries(tags).map(([k, v]) => `<item><key>${esc(k)}</key><value>${esc(v)}</value></item>`).join('');
        const items = state.instances.map((i) => `<item><instanceId>${i.id}</instanceId><tagSet>${tagXml({ Name: i.name, ...i.tags })}</tagSet></item>`).join('');
        body = `<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId><reservationSet><item><reservationId>r-1</reservationId><instancesSet>${items}</instancesSet></item></reservationSet></DescribeInstancesResponse>`;
      } else {
        res.writeHead(400, { 'content-type': 'text/xml' });
        res.end(`<Response><Errors><Error><Code>InvalidAction</Code><Message>unknown action</Message></Error></Errors><RequestID>x</RequestID></Response>`);
        return;
      }
      res.writeHead(200, { 'content-type': 'text/xml;charset=UTF-8' });
      res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
