// The `capture:` section: what live eBPF capture watches, defaults first, then validation.
//
//   capture:
//     dnsPorts: [5353]          ports treated as DNS besides 53 (UDP and TCP; at most 15)
//     interfaces: [eth0, lo]    interfaces to capture DNS packets on (default: all)
//     conntrackInterval: 10s    how often /proc/net/stat/nf_conntrack is sampled
//     ringBufferKB: 16384       kernel ring buffer (a power of two from 4 to 1048576 KiB)
//     user: egresswatch         once capture is attached, the agent continues as this user with no
//                               capabilities ("root" keeps root)
//     kubernetes: auto          pod names from the Kubernetes API (auto: in a cluster or with a
//                               kubeconfig; on; off)
//     kubeconfig: ~/.kube/config   absent: the in-cluster service account
import { defaultCaptureSettings, type CaptureSettings } from '../bpf/capture-settings.js';
import type { ConfigValue } from './config-value.js';
import { defineSection, type ConfigContext } from './section.js';
import { resolve } from 'node:path';

const KEYS = ['dnsPorts', 'interfaces', 'conntrackInterval', 'user', 'ringBufferKB', 'kubernetes', 'kubeconfig'];

export const captureSection = defineSection({
  key: 'capture',
  defaultValue: defaultCaptureSettings,
  validate: (value: ConfigValue, context: ConfigContext): CaptureSettings => {
    const o = value.object(KEYS);
    const s = defaultCaptureSettings();
    const ports = o.optional('dnsPorts');
    if (ports) {
      const items = ports.listOrOne();
      // The kernel side holds 16 ports: 53 and 15 more.
      if (items.length > 15) ports.fail(`at most 15 extra DNS ports, got ${items.length}`);
      for (const item of items) {
        const p = item.number({ min: 1, max: 65535, integer: true });
        if (!s.dnsPorts.includes(p)) s.dnsPorts.push(p);
      }
    }
    const ifs = o.optional('interfaces');
    if (ifs) {
      s.interfaces = ifs.listOrOne().map((item) => {
        const name = item.string().trim();
        // Linux interface names: at most 15 bytes, no '/', no whitespace.
        if (name.length > 15 || /[\s/]/.test(name)) item.fail(`not an interface name: ${JSON.stringify(name)}`);
        return name;
      });
    }
    const interval = o.optional('conntrackInterval');
    if (interval) s.conntrackIntervalMs = interval.durationMs({ minMs: 1_000, maxMs: 3_600_000 });
    const ring = o.optional('ringBufferKB');
    if (ring) {
      const kb = ring.number({ min: 4, max: 1_048_576, integer: true });
      if ((kb & (kb - 1)) !== 0) ring.fail(`must be a power of two (got ${kb})`);
      s.ringBytes = kb * 1024;
    }
    const user = o.optional('user');
    if (user) {
      s.user = user.string().trim();
      if (!/^[a-z_][a-z0-9_-]*\$?$/i.test(s.user) || s.user.length > 32) user.fail(`not a user name: ${JSON.stringify(s.user)}`);
    }
    const k8s = o.optional('kubernetes');
    if (k8s) s.kubernetes = k8s.raw === true ? 'on' : k8s.raw === false ? 'off' : k8s.oneOf(['auto', 'on', 'off'] as const);
    const kubeconfig = o.optional('kubeconfig');
    if (kubeconfig) s.kubeconfig = resolve(context.dir, kubeconfig.string());
    return s;
  },
});
