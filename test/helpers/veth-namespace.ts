// A test host in its own network namespace, reached from this host over a veth pair on a random
// /30 of the caller's subnet; firewall rules go inside the namespace, never on the host.
import { execFileSync } from 'node:child_process';
import { randomInt } from 'node:crypto';

export interface VethNamespace {
  name: string;
  /** The namespace's address (the far end of the veth pair). */
  address: string;
  /** Runs a command inside the namespace (e.g. iptables). */
  exec(...args: string[]): void;
  /** Deletes the namespace and the host side of the pair; safe to call twice. */
  remove(): void;
}

function sh(...args: string[]): void {
  execFileSync(args[0], args.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** `prefix` names the links ("ewbb" → ewbbXXXX, ewbbXXXXh, ewbbXXXXn); `subnet` is "10.205" style. */
export function createVethNamespace(prefix: string, subnet: string): VethNamespace {
  const name = `${prefix}${randomInt(0x1000, 0xffff).toString(16)}`;
  const hostLink = `${name}h`;
  const nsLink = `${name}n`;
  // A /30 no link of this host holds already (a test killed before its cleanup leaves one behind).
  const used = execFileSync('ip', ['-o', '-4', 'addr', 'show'], { encoding: 'utf8' });
  let third = randomInt(0, 256);
  for (let tries = 0; tries < 256 && used.includes(` ${subnet}.${third}.`); tries++) third = (third + 1) % 256;
  const address = `${subnet}.${third}.2`;
  const remove = () => {
    try { sh('ip', 'netns', 'del', name); } catch { /* not created or already gone */ }
    try { sh('ip', 'link', 'del', hostLink); } catch { /* removed with the namespace */ }
  };
  try {
    sh('ip', 'netns', 'add', name);
    sh('ip', 'link', 'add', hostLink, 'type', 'veth', 'peer', 'name', nsLink);
    sh('ip', 'link', 'set', nsLink, 'netns', name);
    sh('ip', 'addr', 'add', `${subnet}.${third}.1/30`, 'dev', hostLink);
    sh('ip', 'link', 'set', hostLink, 'up');
    sh('ip', '-n', name, 'addr', 'add', `${address}/30`, 'dev', nsLink);
    sh('ip', '-n', name, 'link', 'set', nsLink, 'up');
    sh('ip', '-n', name, 'link', 'set', 'lo', 'up');
  } catch (err) {
    remove();
    throw err;
  }
  return { name, address, exec: (...args) => sh('ip', 'netns', 'exec', name, ...args), remove };
}
