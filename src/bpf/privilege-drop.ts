// Once its eBPF programs are attached, live capture needs no privilege at all: the ring buffer and
// the sockets are open descriptors, conntrack statistics are world-readable. So the agent, started
// as root, continues as an unprivileged user (capture.user, "egresswatch" by default): setuid
// clears every capability on every thread (glibc applies it to all of them), no_new_privs keeps
// any program it starts from gaining any, and the data directory is handed to that user.
//
// It stays root, and says why in one line, when the user does not exist or could not reach what
// the agent still reads (its own package, the configuration file for reloads) or writes (the
// data directory): a monitor that cannot read its own code after the switch would be worse.
import { chownSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface PrivilegeDropRequest {
  /** capture.user; "root" keeps root. */
  user: string;
  dataDir: string;
  /** Files and directories read after the switch (the configuration file). */
  reads: string[];
  /** Sets no_new_privs (the native addon's prctl). */
  setNoNewPrivs: () => void;
  /** Why root is no longer needed, for the log line ("capture attached"). */
  because: string;
}

export interface PrivilegeDropOutcome {
  dropped: boolean;
  /** One line for the log: what the agent runs as now, or why it is still root. */
  line: string;
}

/** The package's root directory: its code and data are read after the switch (lazy imports, labels). */
const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

interface Account {
  uid: number;
  gid: number;
}

/** The account of `name` from /etc/passwd, or undefined. */
function account(name: string, passwd = readFileSync('/etc/passwd', 'utf8')): Account | undefined {
  for (const line of passwd.split('\n')) {
    const f = line.split(':');
    if (f[0] === name && f.length >= 4) return { uid: Number(f[2]), gid: Number(f[3]) };
  }
  return undefined;
}

/** Whether `who` has `bits` (r=4, w=2, x=1) on a file of this stat. */
function allowed(st: { uid: number; gid: number; mode: number }, who: Account, bits: number): boolean {
  if (st.uid === who.uid) return ((st.mode >> 6) & bits) === bits;
  if (st.gid === who.gid) return ((st.mode >> 3) & bits) === bits;
  return (st.mode & bits) === bits;
}

/** Why `who` cannot reach `path` (every directory above it searchable, the path itself with `bits`), or undefined. */
function unreachable(path: string, who: Account, bits: number): string | undefined {
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    const st = statSync(dir);
    if (!allowed(st, who, 1)) return `${dir} (mode ${(st.mode & 0o777).toString(8)}, owner uid ${st.uid}) cannot be searched`;
    if (dir === dirname(dir)) break;
  }
  const st = statSync(path);
  return allowed(st, who, bits) ? undefined : `${path} (mode ${(st.mode & 0o777).toString(8)}, owner uid ${st.uid}) cannot be ${bits & 2 ? 'written' : 'read'}`;
}

function chownTree(path: string, who: Account): void {
  chownSync(path, who.uid, who.gid);
  if (!statSync(path).isDirectory()) return;
  for (const name of readdirSync(path)) chownTree(join(path, name), who);
}

export function dropPrivileges(req: PrivilegeDropRequest): PrivilegeDropOutcome {
  if (process.getuid?.() !== 0) return { dropped: false, line: 'privileges: not running as root, nothing to give up' };
  if (req.user === 'root') return { dropped: false, line: 'privileges: capture.user is root, so the agent stays root with every capability' };
  const who = account(req.user);
  if (!who || who.uid === 0) return { dropped: false, line: `privileges: still root: there is no unprivileged user ${JSON.stringify(req.user)} (create it with useradd --system ${req.user}, or set capture.user)` };
  // The data directory's parents must be searchable: it is handed over, its parents are not.
  const problem = unreachable(PACKAGE_ROOT, who, 5) ?? req.reads.map((p) => unreachable(p, who, 4)).find(Boolean) ?? unreachable(dirname(req.dataDir), who, 1);
  if (problem) return { dropped: false, line: `privileges: still root: as ${req.user} the agent could not go on, ${problem}` };
  chownTree(req.dataDir, who);
  req.setNoNewPrivs();
  process.setgroups?.([]);
  process.setgid?.(who.gid);
  process.setuid?.(who.uid);
  const capEff = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  return { dropped: true, line: `privileges: ${req.because}; running as ${req.user} (uid ${who.uid}) from now on, capabilities ${capEff === '0000000000000000' ? 'none' : capEff}, no_new_privs set` };
}
