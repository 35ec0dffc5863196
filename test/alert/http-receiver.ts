// A loopback HTTP server that records JSON POSTs and can fail the first N requests, standing in for webhook receivers.
import { createServer, type Server } from 'node:http';

export interface Received {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Requests answered with an error so far. */
  failed: number;
  close(): Promise<void>;
}

export async function startReceiver(opts: { failFirst?: number; failStatus?: number } = {}): Promise<Receiver> {
  const r: Receiver = { url: '', received: [], failed: 0, close: async () => {} };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (r.failed < (opts.failFirst ?? 0)) {
        r.failed++;
        res.writeHead(opts.failStatus ?? 503, { 'content-type': 'text/plain' });
        res.end('try later\n<script>x</script>');
        return;
      }
      r.received.push({ path: req.url ?? '', headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  r.url = `http://127.0.0.1:${port}/hook`;
  r.close = () => new Promise((resolve) => server.close(() => resolve()));
  return r;
}
