// A TCP port on 127.0.0.1 that was free a moment ago, for child processes (Prometheus,
// Alertmanager, blackbox_exporter, the agent) that must be told their port before they start.
import { createServer, type AddressInfo } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
