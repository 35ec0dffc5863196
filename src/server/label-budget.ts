// Bounds the label values of a metric: the first N names admitted (admitted in order of volume
// at each scrape) keep their own series, every later name shares "other". Admission is sticky
// so a counter never moves between series, which would read as a reset in Prometheus.
import { visibleText } from '../visible-text.js';

export const OTHER_LABEL = 'other';

export class LabelBudget {
  /** Admitted names and the label each is exported under. */
  private readonly admitted = new Map<string, string>();

  constructor(readonly limit: number) {}

  /** Admits names (best first) while slots remain; returns the label each one is exported under. */
  assign(namesByVolume: readonly string[]): Map<string, string> {
    const out = new Map<string, string>();
    for (const name of namesByVolume) out.set(name, this.label(name));
    return out;
  }

  /** The label for one name, admitting it when a slot is free (called for every event: no allocation once admitted). */
  label(name: string): string {
    const known = this.admitted.get(name);
    if (known !== undefined) return known;
    if (this.admitted.size >= this.limit || name === OTHER_LABEL) return OTHER_LABEL;
    // Names come from the network: control characters are shown as escapes, never raw bytes.
    const label = visibleText(name);
    this.admitted.set(name, label);
    return label;
  }
}
