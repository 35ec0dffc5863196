// The `identity:` section: the labels that tell this agent's series from other hosts' in a fleet.
//
//   identity:
//     host: web-1          default: the machine's hostname (also `egresswatch run --host NAME`)
//     cluster: prod-eu     optional; on AWS, default: the instance's EKS cluster tag
//     zone: eu-west-1a     optional; on AWS, default: the zone of this host's network interface
import { defaultIdentity, identityProblem, type HostIdentity } from '../identity.js';
import type { ConfigValue } from './config-value.js';
import { defineSection } from './section.js';

export const identitySection = defineSection({
  key: 'identity',
  defaultValue: defaultIdentity,
  validate: (value: ConfigValue): HostIdentity => {
    const o = value.object(['host', 'cluster', 'zone']);
    const id = defaultIdentity();
    for (const key of ['host', 'cluster', 'zone'] as const) {
      const v = o.optional(key);
      if (!v) continue;
      const text = v.string().trim();
      const problem = identityProblem(text);
      if (problem) v.fail(problem);
      id[key] = text;
    }
    return id;
  },
});
