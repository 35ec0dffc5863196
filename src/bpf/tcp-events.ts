// Turns TCP records from the kernel into TcpEvents. A connect is recorded when the socket enters
// SYN_SENT, before the kernel picks its local port; so a connect is held until the next record of
// the same socket (which carries the port) or until holdMs passes, then emitted first.
import type { TcpEvent, TcpFailReason } from '../events.js';
import type { TcpRecord } from './record-decoder.js';
import { TcpKind } from './record-layout.js';

const ECONNRESET = 104;
const ENETUNREACH = 101;
const EHOSTUNREACH = 113;
const ETIMEDOUT = 110;
const ECONNREFUSED = 111;

const KIND_NAME: Record<number, TcpEvent['event']> = {
  [TcpKind.CONNECT]: 'connect',
  [TcpKind.ESTABLISHED]: 'established',
  [TcpKind.FAILED]: 'failed',
  [TcpKind.RESET]: 'reset',
  [TcpKind.RETRANSMIT]: 'retransmit',
  [TcpKind.CLOSE]: 'close',
};

/** A dual-stack socket's IPv4-mapped address as plain IPv4, as the wire shows it. */
function unmapped(addr: string): string {
  return addr.startsWith('::ffff:') && addr.includes('.') ? addr.slice(7) : addr;
}

/** Why a connect failed, from the socket error the kernel set. */
export function failReason(skErr: number): TcpFailReason {
  switch (skErr) {
    case ECONNREFUSED: return 'refused';
    case ETIMEDOUT: return 'timeout';
    case EHOSTUNREACH:
    case ENETUNREACH: return 'unreachable';
    case ECONNRESET: return 'reset';
    default: return 'other';
  }
}

interface HeldConnect {
  ev: TcpEvent;
  heldAtNs: number;
}

export class TcpEventAssembler {
  private readonly held = new Map<string, HeldConnect>();

  /** toEpochMs converts the kernel's monotonic nanoseconds to ms since the epoch. */
  constructor(private readonly toEpochMs: (monoNs: number) => number, private readonly holdMs = 1000) {}

  /** Converts one record; events come out through emit, a held connect before its successor. */
  add(r: TcpRecord, emit: (ev: TcpEvent) => void): void {
    const name = KIND_NAME[r.kind];
    if (!name) return;
    const ev: TcpEvent = { type: 'tcp', ts: this.toEpochMs(r.tsNs), event: name, src: unmapped(r.src), sport: r.sport, dst: unmapped(r.dst), dport: r.dport };
    if (r.owner) Object.assign(ev, r.owner);
    if (name === 'connect' && r.sport === 0) {
      this.held.set(r.sk, { ev, heldAtNs: r.tsNs });
      return;
    }
    const held = this.held.get(r.sk);
    if (held) {
      this.held.delete(r.sk);
      held.ev.sport = r.sport;
      if (held.ev.src === '0.0.0.0' || held.ev.src === '::') held.ev.src = unmapped(r.src);
      emit(held.ev);
    }
    if (name === 'established') ev.latencyMs = r.latencyNs / 1e6;
    if (name === 'failed') {
      ev.reason = failReason(r.skErr);
      ev.errno = r.skErr;
    }
    if (name === 'retransmit') ev.syn = r.syn;
    emit(ev);
  }

  /** Emits connects held longer than holdMs as they are (local port unknown: 0). */
  expire(nowNs: number, emit: (ev: TcpEvent) => void): void {
    for (const [sk, h] of this.held) {
      if (nowNs - h.heldAtNs < this.holdMs * 1e6) continue;
      this.held.delete(sk);
      emit(h.ev);
    }
  }

  flush(emit: (ev: TcpEvent) => void): void {
    this.expire(Number.POSITIVE_INFINITY, emit);
  }
}
