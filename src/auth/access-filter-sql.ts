// Turns an AccessPolicy into a WHERE fragment over a current `resource` row: columns
// compartment, source_facility and communes. Values are bound parameters, never spliced in.
import type { AccessPolicy } from './access-policy.ts';

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
    // The compartment Patient's address communes (current and old codes), stamped on every row
    // by the resource writer (src/store/compartment-communes.ts): a test on the row itself, where
    // a join to the Patient's index rows cost a plan of its own on every search.
    terms.push(`${next(policy.communeCode)}::text = ANY(${alias}.communes)`);
  }
  if (policy.grantsForUser) {
    terms.push(
      `EXISTS (SELECT 1 FROM consent_grant cg WHERE cg.patient_id = ${alias}.compartment AND cg.grantee_user_id = ${next(policy.grantsForUser)}` +
        ` AND cg.revoked_at IS NULL AND cg.starts <= now() AND cg.expires > now())`,
    );
  }
  return { sql: terms.length > 0 ? `(${terms.join(' OR ')})` : 'FALSE', params };
}
