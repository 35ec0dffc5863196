// Opens an HTTP CONNECT tunnel through a proxy on an already connected socket.
import type { Socket } from 'node:net';
import { ProxyFailure } from './probe-errors.js';
import { settleOnce } from './settle-once.js';

const MAX_HEADER = 16 * 1024;

/** Resolves once the proxy answers 2xx to CONNECT host:port; the socket then carries the tunnel. */
export function openTunnel(socket: Socket, host: string, port: number, signal: AbortSignal): Promise<void> {
  const authority = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  let head = Buffer.alloc(0);
  const listeners: { onData?: (chunk: Buffer) => void; onError?: (err: unknown) => void; onEnd?: () => void } = {};
  const cleanup = (err: unknown) => {
    if (listeners.onData) socket.off('data', listeners.onData);
    if (listeners.onError) socket.off('error', listeners.onError);
    if (listeners.onEnd) socket.off('end', listeners.onEnd);
    if (err !== undefined) socket.destroy();
  };
  return settleOnce<void>(signal, cleanup, ({ ok, fail }) => {
    listeners.onEnd = () => fail(new ProxyFailure('proxy closed the connection before answering CONNECT'));
    listeners.onError = fail;
    listeners.onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > MAX_HEADER) fail(new ProxyFailure('proxy reply header too long'));
        return;
      }
      const statusLine = head.subarray(0, head.indexOf('\r\n')).toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
      if (!m) return fail(new ProxyFailure(`malformed proxy reply ${JSON.stringify(statusLine.slice(0, 80))}`));
      if (m[1][0] !== '2') return fail(new ProxyFailure(`proxy refused CONNECT ${authority}: ${statusLine.slice(9, 80)}`));
      // The server behind the tunnel cannot speak before the request: extra bytes are a fault.
      if (head.length > end + 4) return fail(new ProxyFailure('proxy sent data after its CONNECT reply'));
      ok();
    };
    socket.on('data', listeners.onData);
    socket.once('error', listeners.onError);
    socket.once('end', listeners.onEnd);
    socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`);
  });
}
