// Bounds the label values of a metric: the first N names admitted (admitted in order of volume
// at each scrape) keep their own series, every later name shares "other". Admission is sticky
// so a counter never moves between series, which would read as a reset in Prometheus.
import { visibleText } from '../visible-text.js';

export const OTHER_LABEL = 'other';

export class LabelBudget {
  private readonly admitted = new Set<string>();

  constructor(readonly limit: number) {}

  /** Admits names (best first) while slots remain; returns the label each one is exported under. */
  assign(namesByVolume: readonly string[]): Map<string, string> {
    const out = new Map<string, string>();
    for (const name of namesByVolume) {
      if (!this.admitted.has(name) && this.admitted.size < this.limit && name !== OTHER_LABEL) this.admitted.add(name);
      // Names come from the network: control characters are shown as escapes, never raw bytes.
      out.set(name, this.admitted.has(name) ? visibleText(name) : OTHER_LABEL);
    }
    return out;
  }

  /** The label for one name, admitting it when a slot is free. */
  label(name: string): string {
    return this.assign([name]).get(name)!;
  }
}
