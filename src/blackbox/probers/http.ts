// HTTP(S) prober: own DNS, connect and TLS steps (timed), then one undici request per hop over
// that connection, following redirects when asked; phases add up across hops.
import { subscribe } from 'node:diagnostics_channel';
import type { IncomingHttpHeaders } from 'node:http';
import { isIP, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { performance } from 'node:perf_hooks';
import { Client } from 'undici';
import type { ProbeResult } from '../../events.js';
import { daysUntil, earliestNotAfter, openSocket, startTls } from '../connect.js';
import { resolveHost } from '../host-lookup.js';
import { checkResponse, quote, type HttpResponseSeen } from '../http-assertions.js';
import { PhaseTimer } from '../phase-timer.js';
import { ProtocolFailure } from '../probe-errors.js';
import { runProbe } from '../probe-frame.js';
import { openTunnel } from '../proxy-tunnel.js';
import type { HttpCheck, Prober } from '../types.js';
import { settleOnce } from '../settle-once.js';

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const PROBE_DONE = new Error('probe finished');

/**
 * Dialled connections whose request is not written yet, with their probe's timer. Time to first
 * byte counts from the moment undici writes the request (its sendHeaders channel fires just
 * before the write), not from the connection being ready: undici's set-up of the connection and
 * request in between (~0.2 ms warm, a few ms on the first request) is the client's work, not the
 * server's latency, and is counted with the connection set-up (connect or TLS) instead.
 */
const awaitingRequest = new WeakMap<Socket, PhaseTimer>();
subscribe('undici:client:sendHeaders', (message) => {
  const socket = (message as { socket?: Socket }).socket;
  const timer = socket && awaitingRequest.get(socket);
  if (!timer) return; // another undici user's request
  awaitingRequest.delete(socket);
  timer.mark('firstByte');
});

/** Facts learnt during an exchange, kept even when it then fails. */
interface Seen {
  ip?: string;
  tlsVersion?: string;
  certExpiryDays?: number;
  certNotAfter?: number;
  alpn?: string;
}

interface Hop extends HttpResponseSeen {
  /** When the last byte of the reply was read (monotonic clock). */
  endAt: number;
  ip?: string;
  tlsVersion?: string;
  certExpiryDays?: number;
  certNotAfter?: number;
}

export const probeHttp: Prober<HttpCheck> = (check, outer) => {
  const seen: Seen = {};
  // Facts learnt before a failure (address, TLS) are still reported with it.
  const onFailure = (result: ProbeResult) => {
    result.ip ??= seen.ip;
    result.tlsVersion ??= seen.tlsVersion;
    result.certExpiryDays ??= seen.certExpiryDays;
    result.certNotAfter ??= seen.certNotAfter;
  };
  return runProbe(check, outer, { probe: 'http', target: check.url, onFailure }, async ({ timer, signal, result }) => {
    let url = new URL(check.url);
    let method = check.method;
    let body = check.body;
    for (let hops = 0; ; hops++) {
      const hop = await exchange(check, url, method, body, timer, signal, seen);
      Object.assign(result, { status: hop.status, httpVersion: hop.httpVersion, ip: hop.ip, tlsVersion: hop.tlsVersion, certExpiryDays: hop.certExpiryDays, certNotAfter: hop.certNotAfter });
      const location = hop.headers.location;
      if (!check.followRedirects || !REDIRECTS.has(hop.status) || typeof location !== 'string') {
        timer.stop(hop.endAt);
        checkResponse(hop, check.expect);
        break;
      }
      if (hops >= check.maxRedirects) throw new ProtocolFailure(`more than ${check.maxRedirects} redirects`);
      url = redirectTarget(location, url);
      if (hop.status === 303 || ((hop.status === 301 || hop.status === 302) && method === 'POST')) {
        method = method === 'HEAD' ? 'HEAD' : 'GET';
        body = undefined;
      }
    }
  });
};

/**
 * One request/response. The connection is opened by `dial` (timed step by step) while undici's
 * client and request are set up, so the request leaves as soon as the connection is ready.
 * `seen` receives facts known before the exchange completes, so failures still report them.
 */
function exchange(check: HttpCheck, url: URL, method: string, body: string | undefined, timer: PhaseTimer, signal: AbortSignal, seen: Seen): Promise<Hop> {
  const connection = dial(check, url, timer, signal, seen);
  connection.catch(() => undefined); // the request below reports the failure
  return request(connection, url, method, body, check, timer, signal).then((hop) => {
    hop.ip = seen.ip;
    hop.tlsVersion = seen.tlsVersion;
    hop.certExpiryDays = seen.certExpiryDays;
    hop.certNotAfter = seen.certNotAfter;
    hop.httpVersion = seen.alpn === 'h2' ? '2' : '1.1';
    return hop;
  });
}

/** The next hop of a redirect; the Location text comes from the network and is quoted. */
function redirectTarget(location: string, from: URL): URL {
  let next: URL;
  try {
    next = new URL(location, from);
  } catch {
    throw new ProtocolFailure(`invalid redirect location ${quote(location)}`);
  }
  if (next.protocol !== 'http:' && next.protocol !== 'https:') throw new ProtocolFailure(`redirect to unsupported scheme ${quote(next.protocol)}`);
  return next;
}

/** DNS, TCP connect, proxy tunnel and TLS, each marked on the timer; ends in the firstByte phase. */
async function dial(check: HttpCheck, url: URL, timer: PhaseTimer, signal: AbortSignal, seen: Seen): Promise<Socket> {
  // Facts of an earlier hop must not leak into this one.
  seen.ip = seen.tlsVersion = seen.certExpiryDays = seen.certNotAfter = seen.alpn = undefined;
  const https = url.protocol === 'https:';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port) || (https ? 443 : 80);
  const proxy = check.proxy ? new URL(check.proxy) : undefined;
  const dialHost = proxy ? proxy.hostname.replace(/^\[|\]$/g, '') : host;
  const dialPort = proxy ? Number(proxy.port) || 80 : port;

  let ip = dialHost;
  if (isIP(dialHost)) timer.zero('dns');
  else {
    timer.mark('dns');
    // The check's resolver is for the URL's host; a proxy resolves the target itself.
    ip = await resolveHost(dialHost, proxy ? undefined : check.resolver, signal);
  }
  if (!proxy) seen.ip = ip;
  timer.mark('connect');
  let socket: Socket = await openSocket(ip, dialPort, signal);
  if (proxy) await openTunnel(socket, host, port, signal);
  if (https) {
    timer.mark('tls');
    const tlsSocket: TLSSocket = await startTls(socket, { host, settings: check.tls, verify: true, alpn: check.http2 ? ['h2', 'http/1.1'] : ['http/1.1'] }, signal);
    socket = tlsSocket;
    // Read now: once the request ends the socket is gone and these read empty.
    seen.tlsVersion = tlsSocket.getProtocol() ?? undefined;
    seen.alpn = tlsSocket.alpnProtocol || undefined;
    const cert = tlsSocket.getPeerCertificate(true);
    seen.certExpiryDays = cert?.valid_to ? daysUntil(cert.valid_to) : undefined;
    seen.certNotAfter = cert?.valid_to ? earliestNotAfter(cert) : undefined;
  }
  // The connect (or TLS) phase runs on until the request is written (see awaitingRequest), so
  // undici's set-up of the connection stays out of the server's time to first byte.
  const readyAt = performance.now();
  awaitingRequest.set(socket, timer);
  // The first bytes of the reply, before undici parses them; HTTP/2 sockets never emit this and
  // fall back to the parsed headers below.
  if (seen.alpn !== 'h2') {
    socket.once('readable', () => {
      // Should the write have gone unseen, time to first byte counts from the connection being ready.
      if (awaitingRequest.delete(socket)) timer.mark('firstByte', readyAt);
      if (timer.current === 'firstByte') timer.mark('transfer');
    });
  }
  return socket;
}

/** One request over the dialled connection, timing first byte and transfer from undici's callbacks. */
function request(connection: Promise<Socket>, url: URL, method: string, body: string | undefined, check: HttpCheck, timer: PhaseTimer, signal: AbortSignal): Promise<Hop> {
  const client = new Client(url.origin, {
    // Always answered asynchronously: undici must not re-enter its queue from inside connect().
    connect: (_opts, callback) => {
      connection.then((socket) => callback(null, socket), (err: Error) => callback(err, null));
    },
    allowH2: check.http2,
    pipelining: 1,
  });
  const chunks: Buffer[] = [];
  let kept = 0;
  let status = 0;
  let headers: IncomingHttpHeaders = {};
  // A shared reason: undici would otherwise build a new error (and its stack) per probe.
  const release = (err: unknown) => void client.destroy(err instanceof Error ? err : PROBE_DONE).catch(() => undefined);
  return settleOnce<Hop>(signal, release, ({ ok, fail }) => {
    client.dispatch(
      { origin: url.origin, path: url.pathname + url.search, method: method as 'GET', headers: check.headers, body },
      {
        onRequestStart() {
          // Present so undici treats this as a new-style handler; timing starts at connect.
        },
        onResponseStart(_controller, statusCode, responseHeaders) {
          if (timer.current === 'firstByte') timer.mark('transfer');
          status = statusCode;
          headers = responseHeaders;
        },
        onResponseData(_controller, chunk) {
          if (kept >= check.maxBodyBytes) return;
          const part = chunk.length + kept > check.maxBodyBytes ? chunk.subarray(0, check.maxBodyBytes - kept) : chunk;
          chunks.push(part);
          kept += part.length;
        },
        onResponseEnd() {
          ok({ status, headers, body: Buffer.concat(chunks), httpVersion: '1.1', endAt: performance.now() });
        },
        onResponseError(_controller, err) {
          fail(err);
        },
      },
    );
  });
}
