// How a resident's own statements (MISSION C5) are marked in FHIR, so that every reader can tell
// them from what a facility recorded: a meta.tag on the resource, meta.source naming the
// reporting Patient, and for allergies recorder/asserter = that Patient; on the Patient itself,
// an extension on each ContactPoint/Address the resident added. See docs/integration/fhir-api.md.
import type { Address, ContactPoint, Extension as FhirExtension, Patient, Resource } from '@medplum/fhirtypes';
import { Extension, HSSK_CANONICAL, Tag } from './systems.ts';

const ALLERGY_VERIFICATION = 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification';

/** meta.source of a self-reported resource: which resident account's Patient stated it. */
export function selfReportSource(reporterPatientId: string): string {
  return `${HSSK_CANONICAL}/self-reported/Patient/${reporterPatientId}`;
}

export function hasSelfReportedTag(resource: Resource): boolean {
  return (resource.meta?.tag ?? []).some((t) => t.system === Tag.selfReported.system && t.code === Tag.selfReported.code);
}

/**
 * The resource as the resident's statement: the tag and meta.source are (re)set whatever the
 * client sent, and an allergy's recorder and asserter are the reporting Patient.
 */
export function markSelfReported<T extends Resource>(resource: T, reporterPatientId: string): T {
  const others = (resource.meta?.tag ?? []).filter((t) => !(t.system === Tag.selfReported.system && t.code === Tag.selfReported.code));
  const marked = {
    ...resource,
    meta: { ...resource.meta, source: selfReportSource(reporterPatientId), tag: [...others, { ...Tag.selfReported }] },
  } as T;
  if (marked.resourceType === 'AllergyIntolerance') {
    const reporter = { reference: `Patient/${reporterPatientId}` };
    // Only a clinician confirms an allergy; a resident may still withdraw their own statement.
    const stated = marked.verificationStatus?.coding?.find((c) => c.system === ALLERGY_VERIFICATION)?.code;
    const verification = stated === 'refuted' || stated === 'entered-in-error' ? stated : 'unconfirmed';
    return { ...marked, recorder: reporter, asserter: reporter, verificationStatus: { coding: [{ system: ALLERGY_VERIFICATION, code: verification }] } };
  }
  return marked;
}

function selfReportExtension(reporterPatientId: string): FhirExtension {
  return { url: Extension.selfReported, valueReference: { reference: `Patient/${reporterPatientId}` } };
}

export function isSelfReportedEntry(entry: ContactPoint | Address): boolean {
  return (entry.extension ?? []).some((e) => e.url === Extension.selfReported);
}

export interface NewContact {
  /** Already normalised (0xxxxxxxxx). */
  phone?: string;
  address?: { line?: string; communeCode: string; communeName: string; provinceName: string };
}

const digits = (v: string | undefined) => (v ?? '').replace(/\D/g, '').replace(/^84/, '0');

/**
 * Adds the resident's phone and/or address to the Patient — never removing or changing an entry
 * already there (a facility's above all). A phone already on the record is not added twice.
 * Returns the new Patient and what was added.
 */
export function addSelfReportedContact(
  patient: Patient,
  contact: NewContact,
  reporterPatientId: string,
  today: string,
): { patient: Patient; addedPhone: boolean; addedAddress: boolean } {
  const telecom = [...(patient.telecom ?? [])];
  const address = [...(patient.address ?? [])];
  let addedPhone = false;
  let addedAddress = false;
  if (contact.phone && !telecom.some((t) => t.system === 'phone' && digits(t.value) === digits(contact.phone))) {
    telecom.push({ extension: [selfReportExtension(reporterPatientId)], system: 'phone', value: contact.phone, use: 'mobile', period: { start: today } });
    addedPhone = true;
  }
  if (contact.address) {
    const a = contact.address;
    const text = [a.line?.trim(), a.communeName, a.provinceName].filter(Boolean).join(', ');
    if (!address.some((x) => isSelfReportedEntry(x) && x.text === text)) {
      address.push({
        extension: [
          selfReportExtension(reporterPatientId),
          { url: Extension.selfReportedCommune, valueCode: a.communeCode },
        ],
        use: 'home',
        type: 'physical',
        text,
        ...(a.line?.trim() ? { line: [a.line.trim()] } : {}),
        city: a.communeName,
        state: a.provinceName,
        country: 'VN',
        period: { start: today },
      });
      addedAddress = true;
    }
  }
  return { patient: { ...patient, ...(telecom.length ? { telecom } : {}), ...(address.length ? { address } : {}) }, addedPhone, addedAddress };
}
