// Opens an HTTP CONNECT tunnel through a proxy on an already connected socket.
import type { Socket } from 'node:net';
import { ProxyFailure } from './probe-errors.js';

const MAX_HEADER = 16 * 1024;

/** Resolves once the proxy answers 2xx to CONNECT host:port; the socket then carries the tunnel. */
export function openTunnel(socket: Socket, host: string, port: number, signal: AbortSignal): Promise<void> {
  const authority = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return new Promise((resolve, reject) => {
    let head = Buffer.alloc(0);
    const done = (err?: unknown) => {
      signal.removeEventListener('abort', onAbort);
      socket.off('data', onData);
      socket.off('error', done);
      socket.off('end', onEnd);
      if (err !== undefined) {
        socket.destroy();
        reject(err);
      } else resolve();
    };
    const onAbort = () => done(signal.reason);
    const onEnd = () => done(new ProxyFailure('proxy closed the connection before answering CONNECT'));
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > MAX_HEADER) done(new ProxyFailure('proxy reply header too long'));
        return;
      }
      const statusLine = head.subarray(0, head.indexOf('\r\n')).toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
      if (!m) return done(new ProxyFailure(`malformed proxy reply ${JSON.stringify(statusLine.slice(0, 80))}`));
      if (m[1][0] !== '2') return done(new ProxyFailure(`proxy refused CONNECT ${authority}: ${statusLine.slice(9, 80)}`));
      // The server behind the tunnel cannot speak before the request: extra bytes are a fault.
      if (head.length > end + 4) return done(new ProxyFailure('proxy sent data after its CONNECT reply'));
      done();
    };
    if (signal.aborted) return done(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    socket.on('data', onData);
    socket.once('error', done);
    socket.once('end', onEnd);
    socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`);
  });
}
