// The Prometheus HTTP query API (also Thanos, Mimir, Cortex and VictoriaMetrics): instant and
// range queries, each bounded by a timeout, with Prometheus's own error message on failure.

export interface InstantSample {
  labels: Record<string, string>;
  value: number;
}

export interface RangeSeries {
  labels: Record<string, string>;
  /** [seconds since the epoch, value] */
  values: Array<[number, number]>;
}

export class PrometheusClient {
  /** Queries made and the time they took, for the fleet view's own health line. */
  readonly stats = { queries: 0, failures: 0, lastMs: 0 };

  constructor(private readonly baseUrl: string, private readonly timeoutMs = 10_000) {}

  async query(promql: string, at?: number): Promise<InstantSample[]> {
    const params = new URLSearchParams({ query: promql, ...(at === undefined ? {} : { time: String(at / 1000) }) });
    const data = await this.get<{ result: Array<{ metric: Record<string, string>; value: [number, string] }> }>('query', params);
    return data.result.map((r) => ({ labels: r.metric, value: Number(r.value[1]) }));
  }

  async queryRange(promql: string, fromMs: number, toMs: number, stepS: number): Promise<RangeSeries[]> {
    const params = new URLSearchParams({ query: promql, start: String(fromMs / 1000), end: String(toMs / 1000), step: String(stepS) });
    const data = await this.get<{ result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> }>('query_range', params);
    return data.result.map((r) => ({ labels: r.metric, values: r.values.map(([t, v]) => [t, Number(v)] as [number, number]) }));
  }

  private async get<T>(endpoint: string, params: URLSearchParams): Promise<T> {
    const t0 = performance.now();
    this.stats.queries++;
    try {
      // POST keeps long queries out of URL length limits; the API accepts form bodies.
      const res = await fetch(`${this.baseUrl.replace(/\/$/, '')}/api/v1/${endpoint}`, { method: 'POST', body: params, signal: AbortSignal.timeout(this.timeoutMs) });
      const body = (await res.json().catch(() => ({ status: 'error', error: `HTTP ${res.status}, not JSON` }))) as { status: string; data?: T; error?: string };
      if (body.status !== 'success' || !body.data) throw new Error(`Prometheus ${endpoint}: ${body.error ?? `HTTP ${res.status}`}`);
      return body.data;
    } catch (err) {
      this.stats.failures++;
      throw err;
    } finally {
      this.stats.lastMs = performance.now() - t0;
    }
  }
}
