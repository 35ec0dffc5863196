// Maintenance windows and silences, and the one rule of what they cover: no alerts are raised for
// what they cover, and the pages show covered providers and endpoints as under maintenance.

/** No alerts for the scope during [startsAt, endsAt); shown on the status page. */
export interface MaintenanceWindow {
  id: string;
  /** Provider id, endpoint id, or "*" for everything. */
  scope: string;
  startsAt: number;
  endsAt: number;
  reason: string;
  createdBy: string;
  createdAt: number;
}

/** Silences alerts matching every given field until endsAt (not shown as maintenance). */
export interface Silence {
  id: string;
  providerId?: string;
  endpointId?: string;
  alertName?: string;
  startsAt: number;
  endsAt: number;
  comment: string;
  createdBy: string;
  createdAt: number;
}

