// Audit entries as FHIR R4 AuditEvent resources. Two views: the full one for administrators,
// and the resident's ("who accessed my record": facility, role, when, why), which leaves out
// the person's account id, the query text and the network address. Facilities are named (from
// their Organization) beside the code when the caller passes the names: people do not know codes.
import type { AuditEvent, AuditEventAgent, AuditEventEntity, Coding } from '@medplum/fhirtypes';
import { HSSK_CANONICAL, IdentifierSystem } from '../fhir/systems.ts';
import type { AuditEntry } from './audit-entry.ts';

export type AuditView = 'full' | 'resident';

const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
const REST = 'http://terminology.hl7.org/CodeSystem/audit-event-type';
const INTERACTION = 'http://hl7.org/fhir/restful-interaction';
const HSSK_AUDIT = `${HSSK_CANONICAL}/CodeSystem/audit-event`;
export const AGENT_ROLE_SYSTEM = `${HSSK_CANONICAL}/CodeSystem/vai-tro`;
export const USER_ID_SYSTEM = `${HSSK_CANONICAL}/sid/user`;

function typeAndSubtype(entry: AuditEntry): { type: Coding; subtype?: Coding[]; action: AuditEvent['action'] } {
  const rest = (code: string, action: AuditEvent['action']) => ({ type: { system: REST, code: 'rest', display: 'RESTful Operation' }, subtype: [{ system: INTERACTION, code }], action });
  switch (entry.action) {
    case 'read':
      return rest('read', 'R');
    case 'vread':
      return rest('vread', 'R');
    case 'search':
      return rest('search-type', 'E');
    case 'history':
      return rest('history-instance', 'R');
    case 'create':
      return rest('create', 'C');
    case 'update':
      return rest('update', 'U');
    case 'delete':
      return rest('delete', 'D');
    case 'export':
      return { type: { system: DCM, code: '110106', display: 'Export' }, action: 'R' };
    case 'import':
      return { type: { system: DCM, code: '110107', display: 'Import' }, action: 'C' };
    case 'login':
      return { type: { system: DCM, code: '110114', display: 'User Authentication' }, subtype: [{ system: DCM, code: '110122', display: 'Login' }], action: 'E' };
    case 'logout':
      return { type: { system: DCM, code: '110114', display: 'User Authentication' }, subtype: [{ system: DCM, code: '110123', display: 'Logout' }], action: 'E' };
    case 'consent-grant':
      return { type: { system: HSSK_AUDIT, code: 'consent-grant', display: 'Cấp quyền truy cập hồ sơ' }, action: 'C' };
    case 'consent-revoke':
      return { type: { system: HSSK_AUDIT, code: 'consent-revoke', display: 'Thu hồi quyền truy cập hồ sơ' }, action: 'U' };
    case 'break-glass':
      return { type: { system: HSSK_AUDIT, code: 'break-glass', display: 'Truy cập khẩn cấp' }, action: 'E' };
    case 'account':
      return { type: { system: HSSK_AUDIT, code: 'account', display: 'Quản lý tài khoản' }, action: 'U' };
  }
}

export function toAuditEvent(entry: AuditEntry, view: AuditView = 'full', facilityNames: ReadonlyMap<string, string> = new Map()): AuditEvent {
  const { type, subtype, action } = typeAndSubtype(entry);
  const agent: AuditEventAgent = {
    requestor: true,
    ...(entry.agentRole ? { type: { coding: [{ system: AGENT_ROLE_SYSTEM, code: entry.agentRole }] } } : {}),
  };
  const facilityName = entry.agentFacility ? facilityNames.get(entry.agentFacility) : undefined;
  const named = facilityName ? { display: facilityName } : {};
  if (view === 'full') {
    if (entry.agentId) agent.who = { identifier: { system: USER_ID_SYSTEM, value: entry.agentId } };
    if (entry.sourceIp) agent.network = { address: entry.sourceIp, type: entry.sourceIp.includes(':') ? '3' : '2' };
    if (entry.agentFacility) agent.location = { identifier: { system: IdentifierSystem.facilityCode, value: entry.agentFacility }, ...named };
  } else if (entry.agentFacility) {
    agent.who = { identifier: { system: IdentifierSystem.facilityCode, value: entry.agentFacility }, type: 'Organization', ...named };
  }
  const entity: AuditEventEntity[] = [];
  if (entry.patientId) {
    entity.push({
      what: { reference: `Patient/${entry.patientId}` },
      type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '1', display: 'Person' },
      role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '1', display: 'Patient' },
    });
  }
  if (entry.entityType && (entry.entityId || entry.entityType !== 'Patient' || !entry.patientId)) {
    entity.push({
      what: entry.entityId ? { reference: `${entry.entityType}/${entry.entityId}` } : { type: entry.entityType as 'Patient' },
      type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '2', display: 'System Object' },
    });
  }
  if (view === 'full' && entry.query) {
    entity.push({ type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '2' }, query: Buffer.from(entry.query).toString('base64') });
  }
  const event: AuditEvent = {
    resourceType: 'AuditEvent',
    id: String(entry.seq),
    type,
    ...(subtype ? { subtype } : {}),
    action,
    recorded: entry.recordedAt.toISOString(),
    outcome: entry.outcome,
    agent: [agent],
    source: { observer: { display: 'HSSK' }, type: [{ system: 'http://terminology.hl7.org/CodeSystem/security-source-type', code: '4', display: 'Application Server' }] },
    ...(entity.length > 0 ? { entity } : {}),
  };
  if (entry.action === 'break-glass') {
    event.purposeOfEvent = [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'ETREAT', display: 'Emergency Treatment' }] }];
  }
  if (entry.reason) event.outcomeDesc = entry.reason;
  return event;
}
