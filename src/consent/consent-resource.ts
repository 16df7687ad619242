// The FHIR R4 Consent that records a resident's permission (scope patient-privacy, category
// INFA, policyRule OPTIN, provision permit for one Practitioner for a period).
import type { Consent } from '@medplum/fhirtypes';
import { HSSK_CANONICAL, IdentifierSystem } from '../fhir/systems.ts';
import { USER_ID_SYSTEM } from '../audit/audit-event.ts';

export interface ConsentFacts {
  patientId: string;
  /** The Patient who gave it: the patient, or a parent acting for a child. */
  performerPatientId: string;
  granteeUserId: string;
  practitionerId?: string;
  facilityCode?: string;
  starts: Date;
  expires: Date;
  method: 'otp' | 'share-code' | 'app';
  status: 'active' | 'inactive';
}

export const CONSENT_METHOD_EXTENSION = `${HSSK_CANONICAL}/StructureDefinition/consent-method`;

export function buildConsent(facts: ConsentFacts): Consent {
  return {
    resourceType: 'Consent',
    status: facts.status,
    scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy', display: 'Privacy Consent' }] },
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'INFA', display: 'information access' }] }],
    patient: { reference: `Patient/${facts.patientId}` },
    dateTime: facts.starts.toISOString(),
    performer: [{ reference: `Patient/${facts.performerPatientId}` }],
    ...(facts.facilityCode ? { organization: [{ identifier: { system: IdentifierSystem.facilityCode, value: facts.facilityCode } }] } : {}),
    policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTIN', display: 'opt-in' }] },
    extension: [{ url: CONSENT_METHOD_EXTENSION, valueCode: facts.method }],
    provision: {
      type: 'permit',
      period: { start: facts.starts.toISOString(), end: facts.expires.toISOString() },
      actor: [
        {
          role: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'PRCP', display: 'primary information recipient' }] },
          reference: facts.practitionerId
            ? { reference: `Practitioner/${facts.practitionerId}` }
            : { identifier: { system: USER_ID_SYSTEM, value: facts.granteeUserId } },
        },
      ],
      action: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentaction', code: 'access', display: 'Access' }] }],
    },
  };
}
