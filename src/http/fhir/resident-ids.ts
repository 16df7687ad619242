// Resident IDs (MISSION A1) on the FHIR REST API of a province: HSSK issues them, clients never
// do. A Patient the API creates as a new person gets one from the province's never-reused
// sequence (the allocator of every other channel), in the transaction that writes it; a client
// cannot send one, and an update or patch can neither drop nor change one (docs/identity.md,
// "Resident IDs on the FHIR API"). The national hub takes none of this: it stores what
// provinces push, their resident IDs included.
import type { Identifier, Patient, Resource } from '@medplum/fhirtypes';
import { FhirError, issue, outcome } from '../../fhir/outcomes.ts';
import { IdentifierSystem } from '../../fhir/systems.ts';

const isResidentId = (i: Identifier | undefined): boolean => i?.system === IdentifierSystem.residentId;

function identifiersOf(resource: Resource): Identifier[] {
  const list = (resource as Patient).identifier;
  return Array.isArray(list) ? list : [];
}

/**
 * Refuses a Patient to be created that carries an identifier in the resident ID system: only
 * HSSK mints them. `at`: the FHIRPath of the Patient in the request (a Bundle entry's resource).
 */
export function refuseClientResidentIds(patient: Patient, at = 'Patient'): void {
  const positions = identifiersOf(patient).flatMap((i, n) => (isResidentId(i) ? [n] : []));
  if (positions.length === 0) return;
  throw new FhirError(
    422,
    outcome(
      issue(
        'business-rule',
        `Mã định danh HSSK (${IdentifierSystem.residentId}) do hệ thống cấp khi tạo hồ sơ; bên gửi không được tự đặt. ` +
          'Hãy bỏ định danh này khỏi Patient; để tìm người dân theo mã, dùng Patient?identifier=' +
          `${IdentifierSystem.residentId}|mã (resident IDs are issued by HSSK, a client cannot supply one)`,
        positions.map((n) => `${at}.identifier[${n}]`),
      ),
    ),
  );
}

/**
 * The next version of an existing Patient with its resident IDs as stored: those the body left
 * out are kept (a client that does not store HSSK's number does not erase it), and one the record
 * does not hold is refused — added or changed, it would be a number HSSK never issued to it.
 */
export function keepResidentIds(next: Resource, current: Resource): Resource {
  // A malformed identifier element is left for the validator to refuse, never silently replaced.
  const raw = (next as Patient).identifier;
  if (next.resourceType !== 'Patient' || (raw !== undefined && !Array.isArray(raw))) return next;
  const stored = identifiersOf(current).filter(isResidentId);
  const sent = identifiersOf(next);
  const held = new Set(stored.map((i) => i.value));
  const foreign = sent.flatMap((i, n) => (isResidentId(i) && !held.has(i.value) ? [n] : []));
  if (foreign.length > 0) {
    throw new FhirError(
      422,
      outcome(
        issue(
          'business-rule',
          `Hồ sơ Patient/${current.id ?? ''} không mang mã định danh HSSK "${String(sent[foreign[0]!]!.value)}": mã do hệ thống cấp, ` +
            'không thể thêm hay đổi qua API (a resident ID cannot be added or changed through the API)',
          foreign.map((n) => `Patient.identifier[${n}]`),
        ),
      ),
    );
  }
  const sentResident = sent.filter(isResidentId);
  // A read-modify-write sends them back unchanged: nothing to do.
  if (sentResident.length === stored.length && sentResident.every((i, n) => JSON.stringify(i) === JSON.stringify(stored[n]))) return next;
  const others = sent.filter((i) => !isResidentId(i));
  const identifier = [...stored, ...others];
  const revised = { ...next, identifier } as Patient;
  if (identifier.length === 0) delete revised.identifier;
  return revised;
}
