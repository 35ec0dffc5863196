// Where and how often /metrics is pushed (remote write, OTLP): one shape for both.
export interface PushSettings {
  url: string;
  intervalMs: number;
  timeoutMs: number;
  headers: Record<string, string>;
}
