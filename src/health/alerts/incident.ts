// Incidents: the record people read of an alert group's problem, with its timeline and notes.
import type { AlertSeverity, Attribution } from './alert.js';

export interface IncidentTimelineEntry {
  at: number;
  kind: 'opened' | 'alert_firing' | 'alert_resolved' | 'evidence' | 'note' | 'resolved' | 'maintenance';
  text: string;
  alertFingerprint?: string;
}

export interface IncidentNote {
  at: number;
  author: string;
  text: string;
}

export interface Incident {
  id: string;
  /** Provider the incident concerns ("local" when attributed to this host's network). */
  providerId: string;
  title: string;
  severity: AlertSeverity;
  state: 'open' | 'resolved';
  openedAt: number;
  resolvedAt: number | null;
  attribution: Attribution | null;
  /** Fingerprints of the alerts that belong to it (open or past). */
  alerts: string[];
  timeline: IncidentTimelineEntry[];
  notes: IncidentNote[];
}
