// What a clinician may type to find a resident they cannot see (issue 5): a CCCD, an HSSK
// resident ID or a BHYT card. Each becomes the identifier lookups to try, most specific first.
import { IdentifierSystem } from '../fhir/systems.ts';
import { parseBhytCard } from '../identity/identifiers.ts';
import { parseResidentId } from '../identity/resident-id.ts';

export interface IdentifierLookup {
  system: string;
  value: string;
}

/** The lookups for a typed key, or undefined when it is none of the accepted forms. */
export function residentKeyLookups(raw: string): IdentifierLookup[] | undefined {
  const compact = raw.replace(/[\s.-]/g, '');
  if (/^\d{12}$/.test(compact)) return [{ system: IdentifierSystem.cccd, value: compact }];
  const residentId = parseResidentId(compact);
  if (residentId) return [{ system: IdentifierSystem.residentId, value: residentId.value }];
  const card = parseBhytCard(compact);
  if (!card.ok) return undefined;
  // The card code changes with the holder's group or benefit level; the BHXH number inside it is
  // lifelong, so an older or newer card of the same person still finds the record.
  return card.value.form === 'full'
    ? [{ system: IdentifierSystem.bhytCard, value: card.value.code }, { system: IdentifierSystem.bhxh, value: card.value.bhxh }]
    : [{ system: IdentifierSystem.bhxh, value: card.value.bhxh }];
}
