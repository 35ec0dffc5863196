// A host that contacts many distinct domains, as a crawler or a webhook sender does: a resolver on
// loopback answers "www.d<N>.example" with 198.18.<N>, a namespace owns all of 198.18.0.0/16 and
// accepts connections there, and a client resolves each name and connects to its address.
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect } from 'node:net';
import * as dnsPacket from 'dns-packet';
import { startDnsTestServer, type DnsTestServer } from './dns-test-server.js';
import { createVethNamespace, type VethNamespace } from './veth-namespace.js';

// The benchmarking range (RFC 2544): not private, so passive DNS names its addresses, and never
// routed on the internet; here it leads into the namespace only.
const PREFIX = '198.18';
export const DOMAIN_PORT = 8443;

export interface DomainNetwork {
  dnsPort: number;
  /** Resolves and connects to domains [from, to), `concurrency` at a time; resolves with the connects made. */
  contact(from: number, to: number, concurrency?: number): Promise<number>;
  close(): Promise<void>;
}

const addressOf = (n: number) => `${PREFIX}.${(n >> 8) & 255}.${n & 255}`;

export async function startDomainNetwork(): Promise<DomainNetwork> {
  const ns: VethNamespace = createVethNamespace('ewmd', '10.232');
  let listener: ChildProcess | undefined;
  let dns: DnsTestServer | undefined;
  let client: UdpSocket | undefined;
  const close = async () => {
    listener?.kill();
    await dns?.close();
    client?.close();
    ns.remove();
    try {
      spawn('ip', ['route', 'del', `${PREFIX}.0.0/16`]);
    } catch { /* gone with the link */ }
  };
  try {
    ns.exec('ip', 'route', 'add', 'local', `${PREFIX}.0.0/16`, 'dev', 'lo');
    await new Promise<void>((resolve, reject) => {
      const p = spawn('ip', ['route', 'replace', `${PREFIX}.0.0/16`, 'via', ns.address]);
      p.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ip route: ${code}`))));
    });
    // Accepts every connection to any address of the range and closes it.
    const script = `require('node:net').createServer((s) => s.end()).listen(${DOMAIN_PORT}, '0.0.0.0', () => console.log('up'))`;
    listener = spawn('ip', ['netns', 'exec', ns.name, process.execPath, '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => listener!.stdout!.once('data', () => resolve()));

    dns = await startDnsTestServer({}, {
      keepQueries: false,
      resolve: (name) => {
        const n = /^www\.d(\d+)\.example$/.exec(name)?.[1];
        return n === undefined ? { rcode: 'NXDOMAIN' } : { answers: [{ name, type: 'A', ttl: 300, data: addressOf(Number(n)) }] };
      },
    });
  } catch (err) {
    await close();
    throw err;
  }
  const dnsPort = dns.port;

  // One client socket for every query: answers are matched by id.
  client = createSocket('udp4');
  const pending = new Map<number, (address: string | undefined) => void>();
  const c = client;
  c.on('message', (msg) => {
    const r = dnsPacket.decode(msg);
    const a = r.answers?.find((x): x is dnsPacket.StringAnswer => x.type === 'A');
    pending.get(r.id ?? -1)?.(a?.data);
    pending.delete(r.id ?? -1);
  });
  await new Promise<void>((resolve) => c.bind(0, '127.0.0.1', resolve));
  let nextId = 0;
  const resolve = (name: string) => new Promise<string | undefined>((done) => {
    const id = nextId++ & 0xffff;
    pending.set(id, done);
    c.send(dnsPacket.encode({ id, type: 'query', flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type: 'A' }] }), dnsPort, '127.0.0.1');
  });
  const connectTo = (address: string) => new Promise<void>((done) => {
    const s = connect({ host: address, port: DOMAIN_PORT });
    s.once('connect', () => s.destroy());
    s.once('close', () => done());
    s.once('error', () => done());
  });

  return {
    dnsPort,
    async contact(from, to, concurrency = 100) {
      let next = from;
      let made = 0;
      const worker = async () => {
        while (next < to) {
          const n = next++;
          const address = await resolve(`www.d${n}.example`);
          if (address === undefined) continue;
          await connectTo(address);
          made++;
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      return made;
    },
    close,
  };
}
