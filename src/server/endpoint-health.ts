// An endpoint's health in the IETF draft "Health Check Response Format for HTTP APIs"
// (application/health+json): status pass/warn/fail and `checks` keyed "component:measurement"
// ("dns:responseTime", "http:responseTime", "tls:certificateExpiry"), each an array of
// measurements with componentId (the component), observedValue, observedUnit, status and time.
import type { EndpointSummary, HealthState } from '../health/snapshot/health-snapshot.js';

export type HealthStatus = 'pass' | 'warn' | 'fail';

export interface HealthCheckEntry {
  componentId: string;
  componentType: 'component';
  observedValue: number | null;
  observedUnit: string;
  status: HealthStatus;
  /** ISO-8601 time of the observation. */
  time: string;
  output?: string;
}

export interface HealthResponse {
  status: HealthStatus;
  version: string;
  releaseId: string;
  serviceId: string;
  description: string;
  checks: Record<string, HealthCheckEntry[]>;
  output?: string;
  links?: Record<string, string>;
}

export const HEALTH_CONTENT_TYPE = 'application/health+json';

/** The draft maps pass/warn to 2xx–3xx and fail to 4xx–5xx, so a load balancer can use it as is. */
export function healthHttpStatus(status: HealthStatus): number {
  return status === 'fail' ? 503 : 200;
}

export function stateToHealth(state: HealthState): HealthStatus {
  if (state === 'operational') return 'pass';
  if (state === 'degraded') return 'warn';
  return 'fail';
}

const STATUS_RANK: Record<HealthStatus, number> = { pass: 0, warn: 1, fail: 2 };
const COMPONENT_ORDER = ['dns', 'tcp', 'tls', 'http'];

export function endpointHealth(endpoint: EndpointSummary, releaseId: string): HealthResponse {
  const checks: Record<string, HealthCheckEntry[]> = {};
  const components = Object.keys(endpoint.checks).sort((a, b) => rank(endpoint.checks[a].component) - rank(endpoint.checks[b].component) || a.localeCompare(b));
  let worst: HealthStatus = stateToHealth(endpoint.state);
  for (const key of components) {
    const c = endpoint.checks[key];
    checks[key] = [{
      componentId: c.component,
      componentType: 'component',
      observedValue: c.observedValue === null ? null : Math.round(c.observedValue * 1000) / 1000,
      observedUnit: c.observedUnit,
      status: c.status,
      time: new Date(c.time).toISOString(),
      ...(c.output !== undefined ? { output: c.output } : {}),
    }];
    if (STATUS_RANK[c.status] > STATUS_RANK[worst]) worst = c.status;
  }
  const failing = components.filter((k) => endpoint.checks[k].status !== 'pass');
  return {
    status: worst,
    version: '1',
    releaseId,
    serviceId: endpoint.id,
    description: `${endpoint.name} (provider ${endpoint.providerId}): ${endpoint.state.replace('_', ' ')}`,
    checks,
    ...(failing.length ? { output: failing.map((k) => `${k}: ${endpoint.checks[k].output ?? endpoint.checks[k].status}`).join('; ') } : {}),
    links: { about: `/api/v1/endpoints/${encodeURIComponent(endpoint.id)}`, provider: `/api/v1/providers/${encodeURIComponent(endpoint.providerId)}` },
  };
}

function rank(component: string): number {
  const i = COMPONENT_ORDER.indexOf(component);
  return i < 0 ? COMPONENT_ORDER.length : i;
}
