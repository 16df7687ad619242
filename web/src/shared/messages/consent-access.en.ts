// English texts of asking consent by a resident's key, of the staff header's place of work and
// of who accessed a record (spread into messages/en.ts).
import type { consentAccessVi } from './consent-access.vi.ts';

export const consentAccessEn: Record<keyof typeof consentAccessVi, string> = {
  'consent.keyLabel': 'Citizen ID, HSSK resident ID or health insurance card',
  'consent.keyHelp': 'When you cannot see the record yet: ask the resident for their citizen ID (12 digits), HSSK ID (HS…) or insurance card.',
  'consent.keyFormat': 'Enter a citizen ID (12 digits), an HSSK ID (HS + 12 characters) or an insurance card (15 characters or 10 digits).',
  'consent.keySent': 'If the number matches a record with a phone, a code was sent to the phone on the record. It is valid for 5 minutes; if the resident gets no message, check the number you typed.',
  'consent.otherKey': 'Use another number',
  'shell.named': '{name} ({code})',
  'app.access.facilityNamed': 'Health facility: {name} (code {code})',
};
