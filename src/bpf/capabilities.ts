// Checks what live capture needs before loading anything (privileges, kernel BTF, tracefs) and
// mounts tracefs when it is absent and allowed, so a failure names exactly what is missing.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { CaptureUnavailableError, oneLine } from '../errors.js';

const CAP_NET_RAW = 13;
const CAP_SYS_ADMIN = 21;
const CAP_PERFMON = 38;
const CAP_BPF = 39;

export const TRACEFS = '/sys/kernel/tracing';
export const VMLINUX_BTF = '/sys/kernel/btf/vmlinux';

/** Effective capabilities of this process, from /proc/self/status. */
export function effectiveCapabilities(status = readFileSync('/proc/self/status', 'utf8')): bigint {
  const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(status);
  return m ? BigInt('0x' + m[1]) : 0n;
}

/** Names of the capabilities live capture needs and this process lacks. */
export function missingCapabilities(capEff: bigint): string[] {
  const has = (bit: number) => (capEff & (1n << BigInt(bit))) !== 0n;
  const admin = has(CAP_SYS_ADMIN);
  const missing: string[] = [];
  if (!has(CAP_BPF) && !admin) missing.push('CAP_BPF');
  if (!has(CAP_PERFMON) && !admin) missing.push('CAP_PERFMON');
  if (!has(CAP_NET_RAW)) missing.push('CAP_NET_RAW');
  return missing;
}

/** Mounts tracefs at /sys/kernel/tracing when it is not there; returns whether it was mounted now. */
export function ensureTracefs(): boolean {
  if (existsSync(`${TRACEFS}/events`)) return false;
  try {
    execFileSync('mount', ['-t', 'tracefs', 'nodev', TRACEFS], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    throw new CaptureUnavailableError(`tracefs is not mounted at ${TRACEFS} and mounting it failed (${stderr || oneLine(err)})`);
  }
  if (!existsSync(`${TRACEFS}/events`)) throw new CaptureUnavailableError(`tracefs mounted at ${TRACEFS} shows no events: the kernel has no tracepoints`);
  return true;
}

/** Throws CaptureUnavailableError with one line saying what is missing; mounts tracefs if needed. */
export function checkCaptureCapabilities(): void {
  if (process.platform !== 'linux') throw new CaptureUnavailableError(`live capture needs Linux (this is ${process.platform})`);
  const missing = missingCapabilities(effectiveCapabilities());
  if (missing.length) throw new CaptureUnavailableError(`live capture needs root: this process lacks ${missing.join(', ')}`);
  if (!existsSync(VMLINUX_BTF)) throw new CaptureUnavailableError(`this kernel exposes no BTF (${VMLINUX_BTF} is missing), which the eBPF programs need`);
  ensureTracefs();
}
