// The list of top-level configuration sections. To add one: write src/config/<section>.ts with
// defineSection(...) and append it here; the Config type follows from this list.
import { checksSection } from './checks.js';
import { storeSection } from './store.js';
import { slosSection } from './slos.js';
import { alertsSection } from './alerts.js';
import { dnsSection } from './dns.js';
import { labelsSection } from './labels.js';
import { serverSection } from './server.js';
import { captureSection } from './capture.js';
import { identitySection } from './identity.js';
import { otlpSection, remoteWriteSection } from './push-targets.js';
import { fleetSection } from './fleet.js';

export const sections = [checksSection, storeSection, slosSection, alertsSection, dnsSection, labelsSection, serverSection, captureSection, identitySection, remoteWriteSection, otlpSection, fleetSection] as const;

type Section = (typeof sections)[number];

/** The whole validated configuration: one property per section. */
export type Config = { [S in Section as S['key']]: ReturnType<S['validate']> };
