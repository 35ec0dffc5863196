// Settings of live capture (the `capture:` section): DNS ports, interfaces, conntrack sampling.

export interface CaptureSettings {
  /** 53 first, then the configured extras, without repeats. */
  dnsPorts: number[];
  interfaces: string[];
  conntrackIntervalMs: number;
}

export function defaultCaptureSettings(): CaptureSettings {
  return { dnsPorts: [53], interfaces: [], conntrackIntervalMs: 10_000 };
}
