// What a resident's FHIR write may do (MISSION C5): everything a resident writes is their own
// statement, marked as such by the server whatever the client sent, and a resident may change
// only their own statements — never what a facility recorded. Their Patient changes only through
// the add-only $add-contact operation (so no facility phone or address can be dropped).
import type { Resource } from '@medplum/fhirtypes';
import { FhirError, issue, outcome } from '../fhir/outcomes.ts';
import { hasSelfReportedTag, markSelfReported } from '../fhir/self-reported.ts';

export type ResidentWrite = 'create' | 'update' | 'patch' | 'delete';

function forbidden(text: string): FhirError {
  return new FhirError(403, outcome(issue('forbidden', text)));
}

/**
 * Returns the resource to store for a resident's write, or throws 403.
 * `reporterPatientId` is the resident account's own Patient (also when writing a child's record
 * as proxy); `current` is the stored version an update or patch would replace.
 */
export function residentWrite(reporterPatientId: string, interaction: ResidentWrite, next: Resource | undefined, current: Resource | undefined): Resource | undefined {
  if (interaction === 'patch' || interaction === 'delete') {
    throw forbidden('Người dân không được sửa từng phần hoặc xoá dữ liệu trong hồ sơ; hãy khai báo thông tin mới (residents may not patch or delete)');
  }
  if (next?.resourceType === 'Patient' || current?.resourceType === 'Patient') {
    throw forbidden(
      'Thông tin hành chính do cơ sở y tế ghi nhận; hãy thêm số điện thoại hoặc địa chỉ bằng thao tác Patient/[id]/$add-contact (use $add-contact to add a phone or address)',
    );
  }
  if (current && !hasSelfReportedTag(current)) {
    throw forbidden(
      'Không được sửa thông tin do cơ sở y tế ghi nhận; bạn có thể thêm thông tin tự khai báo mới (a facility’s record cannot be changed by the resident)',
    );
  }
  return next ? markSelfReported(next, reporterPatientId) : undefined;
}
