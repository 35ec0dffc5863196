// Timed TCP connect and TLS handshake on sockets the probers own, so each phase is measured
// where it happens rather than inferred from a client library's events.
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type DetailedPeerCertificate, type TLSSocket } from 'node:tls';
import type { TlsClientSettings } from './types.js';
import { settleOnce } from './settle-once.js';

/** Connects to ip:port; rejects with the socket error or the signal's reason. */
export function openSocket(ip: string, port: number, signal: AbortSignal): Promise<Socket> {
  return settle(netConnect({ host: ip, port, noDelay: true }), 'connect', signal);
}

export interface TlsHandshake {
  host: string;
  settings: TlsClientSettings;
  /** When false, the handshake succeeds whatever the certificate (the TLS prober judges it). */
  verify: boolean;
  alpn?: string[];
}

/** Runs the TLS handshake over a connected socket; rejects on verification or protocol errors. */
export function startTls(socket: Socket, h: TlsHandshake, signal: AbortSignal): Promise<TLSSocket> {
  const name = h.settings.serverName ?? h.host;
  const tls = tlsConnect({
    socket,
    host: name,
    // SNI must be a name, never an address literal.
    servername: isIP(name) ? undefined : name,
    ca: h.settings.ca,
    rejectUnauthorized: h.verify && !h.settings.insecureSkipVerify,
    ALPNProtocols: h.alpn,
  });
  return settle(tls, 'secureConnect', signal);
}

/** Resolves with the socket once `event` fires; destroys it on error or abort. */
function settle<S extends Socket>(socket: S, event: string, signal: AbortSignal): Promise<S> {
  let onError: (err: unknown) => void = () => undefined;
  const cleanup = (err: unknown) => {
    socket.off('error', onError);
    if (err !== undefined) socket.destroy();
  };
  return settleOnce<S>(signal, cleanup, ({ ok, fail }) => {
    onError = fail;
    socket.once('error', onError);
    socket.once(event, () => ok(socket));
  });
}

/** Whole days from now until the certificate's notAfter (negative once expired). */
/**
 * When the first certificate of the chain the server presented expires (ms since the epoch), as
 * blackbox_exporter's probe_ssl_earliest_cert_expiry: an intermediate can expire before the leaf.
 */
export function earliestNotAfter(leaf: DetailedPeerCertificate): number | undefined {
  let earliest: number | undefined;
  const seen = new Set<DetailedPeerCertificate>();
  // A self-signed root names itself as its issuer: stop at a certificate already seen.
  for (let c: DetailedPeerCertificate | undefined = leaf; c && c.valid_to && !seen.has(c); c = c.issuerCertificate) {
    seen.add(c);
    const t = Date.parse(c.valid_to);
    if (Number.isFinite(t) && (earliest === undefined || t < earliest)) earliest = t;
  }
  return earliest;
}

export function daysUntil(validTo: string, now = Date.now()): number {
  return Math.floor((Date.parse(validTo) - now) / 86_400_000);
}
