// POST /fhir/Patient/{id}/$add-contact — a resident (or a parent for their child) adds a phone
// number and/or an address to the record as their own statement (MISSION C5). Add-only: every
// entry already there, a facility's above all, stays exactly as it was. Input is a Parameters
// resource: `phone` (valueString), `line` (valueString, house and street) and `commune`
// (valueCode, 2025 commune code); the answer is the Patient as stored.
import type { Parameters, Patient } from '@medplum/fhirtypes';
import { badRequest, FhirError, issue, outcome } from '../../fhir/outcomes.ts';
import { addSelfReportedContact, type NewContact } from '../../fhir/self-reported.ts';
import { normalisePhone } from '../../identity/identifiers.ts';
import { commune as communeOf, province as provinceOf } from '../../province/admin-units.ts';
import type { Repository, WriteResult } from '../../store/repository.ts';
import { registerOperation } from './capability.ts';
import type { FhirCaller, FhirRequest, FhirResponse } from './request.ts';

const MAX_LINE = 200;

registerOperation('Patient', 'add-contact', 'http://fhir.hssk.vn/OperationDefinition/Patient-add-contact');

/** Today in Vietnam (UTC+7), as a FHIR date. */
function vietnamToday(now = Date.now()): string {
  return new Date(now + 7 * 3600_000).toISOString().slice(0, 10);
}

function parseContact(body: unknown): NewContact {
  const params = body as Parameters | undefined;
  if (!params || params.resourceType !== 'Parameters') {
    throw badRequest('Nội dung phải là tài nguyên Parameters với phone, line hoặc commune (body must be a Parameters resource)');
  }
  const value = (name: string) => {
    const p = (params.parameter ?? []).find((x) => x.name === name);
    return (p?.valueString ?? p?.valueCode)?.trim() || undefined;
  };
  const phone = value('phone');
  const line = value('line');
  const code = value('commune');
  const contact: NewContact = {};
  if (phone) {
    const checked = normalisePhone(phone);
    if (!checked.ok) throw badRequest(`${checked.errors[0].message} (invalid phone number)`, 'Parameters.parameter[phone]');
    contact.phone = checked.value;
  }
  if (line && line.length > MAX_LINE) throw badRequest(`Địa chỉ dài quá ${MAX_LINE} ký tự (address line too long)`, 'Parameters.parameter[line]');
  if (line && !code) throw badRequest('Hãy chọn xã/phường của địa chỉ (commune required with an address)', 'Parameters.parameter[commune]');
  if (code) {
    const unit = communeOf(code);
    if (!unit) throw badRequest(`Không có xã/phường mã "${code}" trong danh mục 2025 (unknown commune code)`, 'Parameters.parameter[commune]');
    contact.address = {
      ...(line ? { line } : {}),
      communeCode: unit.code,
      communeName: unit.name,
      provinceName: provinceOf(unit.provinceCode)?.name ?? unit.provinceCode,
    };
  }
  if (!contact.phone && !contact.address) {
    throw badRequest('Hãy nhập số điện thoại hoặc địa chỉ (nothing to add: give phone, or commune and line)');
  }
  return contact;
}

export async function addContact(
  repo: Repository,
  req: FhirRequest,
  caller: FhirCaller,
  id: string,
  respond: (req: FhirRequest, result: WriteResult, caller?: FhirCaller) => FhirResponse,
): Promise<FhirResponse> {
  // Staff and facilities record contact details with a plain update; this is the residents' road.
  if (!caller.selfReporter) {
    throw new FhirError(403, outcome(issue('forbidden', 'Thao tác $add-contact dành cho người dân tự khai báo (for residents only)')));
  }
  caller.authorize('update', 'Patient', { resourceType: 'Patient', id });
  const contact = parseContact(req.body);
  const row = await repo.read('Patient', id, caller.access);
  const { patient, addedPhone, addedAddress } = addSelfReportedContact(JSON.parse(row.content!) as Patient, contact, caller.selfReporter, vietnamToday());
  if (!addedPhone && !addedAddress) {
    return { status: 200, headers: { ETag: `W/"${row.versionId}"` }, body: row.content! };
  }
  // The merge was computed from this version: a concurrent change makes it fail (412), not vanish.
  const written = await repo.update(patient, { ifMatch: row.versionId, sourceFacility: caller.sourceFacility });
  return respond(req, written, caller);
}
