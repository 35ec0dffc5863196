// The list of top-level configuration sections. To add one: write src/config/<section>.ts with
// defineSection(...) and append it here; the Config type follows from this list.
import { checksSection } from './checks.js';

export const sections = [checksSection] as const;

type Section = (typeof sections)[number];

/** The whole validated configuration: one property per section. */
export type Config = { [S in Section as S['key']]: ReturnType<S['validate']> };
