// HSSK's own search parameters, beside the R4 ones. Each is a real SearchParameter resource so
// that the CapabilityStatement, the indexer and the search parser treat it like any other.
import type { SearchParameter } from '@medplum/fhirtypes';
import { Extension, HSSK_CANONICAL } from './systems.ts';

function param(
  code: string,
  base: string[],
  type: SearchParameter['type'],
  expression: string,
  description: string,
): SearchParameter {
  return {
    resourceType: 'SearchParameter',
    id: `hssk-${base[0]!.toLowerCase()}-${code}`,
    url: `${HSSK_CANONICAL}/SearchParameter/${base[0]!.toLowerCase()}-${code}`,
    name: code,
    status: 'active',
    description,
    code,
    base: base as SearchParameter['base'],
    type,
    expression,
  };
}

export const HSSK_SEARCH_PARAMETERS: SearchParameter[] = [
  param(
    'address-commune',
    ['Patient'],
    'token',
    `Patient.address.extension('${Extension.addressCommune}').value | Patient.address.extension('${Extension.addressCommuneOld}').value`,
    'Mã xã/phường của địa chỉ (mã 2025, hoặc mã cũ trước 2025 được giữ lại) — commune code of the address, current or old',
  ),
  param(
    'address-province',
    ['Patient'],
    'token',
    `Patient.address.extension('${Extension.addressProvince}').value`,
    'Mã tỉnh của địa chỉ — province code of the address',
  ),
  param(
    'resident-group',
    ['Patient'],
    'token',
    `Patient.extension('${Extension.residentGroup}').value`,
    'Nhóm đối tượng quản lý (MISSION A4) — resident group',
  ),
  param(
    'ethnicity',
    ['Patient'],
    'token',
    `Patient.extension('${Extension.ethnicity}').value`,
    'Dân tộc — ethnic group',
  ),
];
