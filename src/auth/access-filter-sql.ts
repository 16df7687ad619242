// Turns an AccessPolicy into a WHERE fragment over a `resource` (or `resource_history`) row:
// columns compartment and source_facility. Values are bound parameters, never spliced in.
import { paramKey } from '../fhir/search-parameters.ts';
import type { AccessPolicy } from './access-policy.ts';

const COMMUNE_KEY = paramKey('Patient', 'address-commune');

export interface SqlFragment {
  sql: string;
  params: unknown[];
}

/**
 * `alias` is the table alias of the resource row (a SQL identifier chosen by the caller, not
 * user input); placeholders are numbered from `firstParam`, so the fragment slots into a
 * query that already has `firstParam - 1` parameters.
 */
export function accessFilterSql(policy: AccessPolicy, alias: string, firstParam = 1): SqlFragment {
  if (!/^[a-z_][a-z0-9_]*$/i.test(alias)) throw new Error(`invalid SQL alias: ${alias}`);
  if (policy.kind === 'all') return { sql: 'TRUE', params: [] };
  if (policy.kind === 'none') return { sql: 'FALSE', params: [] };
  const params: unknown[] = [];
  const next = (value: unknown): string => {
    params.push(value);
    return `$${firstParam + params.length - 1}`;
  };
  const terms: string[] = [];
  if (policy.publicResources) terms.push(`${alias}.compartment IS NULL`);
  if (policy.facilityWritten) terms.push(`${alias}.source_facility = ${next(policy.facilityWritten)}`);
  if (policy.patientIds && policy.patientIds.length > 0) terms.push(`${alias}.compartment = ANY(${next(policy.patientIds)}::text[])`);
  if (policy.communeCode) {
    // The Patient's address commune straight from the FHIR search index (current or old code),
    // so the rule can never drift from the record.
    terms.push(
      `EXISTS (SELECT 1 FROM resource pr JOIN search_token pc ON pc.rid = pr.rid` +
        ` WHERE pr.resource_type = 'Patient' AND pr.id = ${alias}.compartment AND NOT pr.deleted` +
        ` AND pc.p = ${next(COMMUNE_KEY)} AND pc.code = ${next(policy.communeCode)})`,
    );
  }
  if (policy.grantsForUser) {
    terms.push(
      `EXISTS (SELECT 1 FROM consent_grant cg WHERE cg.patient_id = ${alias}.compartment AND cg.grantee_user_id = ${next(policy.grantsForUser)}` +
        ` AND cg.revoked_at IS NULL AND cg.starts <= now() AND cg.expires > now())`,
    );
  }
  return { sql: terms.length > 0 ? `(${terms.join(' OR ')})` : 'FALSE', params };
}
