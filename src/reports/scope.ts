// Who may run reports, and over what: administrators and managers the whole province; commune
// health workers their commune; clinicians and clerks their facility; clients with a read scope
// on MeasureReport (or all types) the province, or their facility. Residents never.
import type { Actor } from '../auth/actor.ts';
import { canAccess } from '../auth/scopes.ts';
import { ReportError } from './errors.ts';

export type ReportScope = { kind: 'province' } | { kind: 'commune'; commune: string } | { kind: 'facility'; facility: string };

export const NO_REPORT_SCOPE = 'Tài khoản này không được xem báo cáo thống kê.';

export function reportScopeOf(actor: Actor): ReportScope {
  if (actor.kind === 'staff') {
    if (actor.role === 'admin' || actor.role === 'manager') return { kind: 'province' };
    if (actor.role === 'commune-worker' && actor.communeCode) return { kind: 'commune', commune: actor.communeCode };
    if ((actor.role === 'clinician' || actor.role === 'clerk') && actor.facilityCode) return { kind: 'facility', facility: actor.facilityCode };
  }
  if (actor.kind === 'system') return { kind: 'province' };
  if (actor.kind === 'client' && canAccess(actor.scopes, 'MeasureReport', 'read')) {
    return actor.facilityCode ? { kind: 'facility', facility: actor.facilityCode } : { kind: 'province' };
  }
  throw new ReportError(403, NO_REPORT_SCOPE);
}

/** Whether the actor composes, saves and shares custom reports (D2). */
export function canComposeReports(actor: Actor): boolean {
  return actor.kind === 'staff' && (actor.role === 'admin' || actor.role === 'manager');
}
