// XML1 → Coverage, one per BHYT card. When the card changed during the episode, MA_THE_BHYT,
// MA_DKBD, GT_THE_TU and GT_THE_DEN arrive as parallel `;`-separated lists (item i of each list
// describes card i).
import type { Coverage } from '@medplum/fhirtypes';
import { IdentifierSystem } from '../../fhir/systems.ts';
import { parseBhytCard } from '../../identity/identifiers.ts';
import type { AdaptedEntry } from '../adapted-record.ts';
import { BHXH_PAYOR_DISPLAY, XmlExtension, XmlSystem } from './constants.ts';
import { urn, type EpisodeContext } from './context.ts';
import { date8, splitList } from './convert.ts';
import type { XmlRecord } from './inner.ts';

/** Mức hưởng (3rd character of the card): share of costs the fund pays. */
const BENEFIT_LEVELS: Record<number, string> = {
  1: 'Mức 1: 100% chi phí, không giới hạn',
  2: 'Mức 2: 100% chi phí, có giới hạn một số dịch vụ',
  3: 'Mức 3: 95% chi phí',
  4: 'Mức 4: 80% chi phí',
  5: 'Mức 5: 100% chi phí, kể cả ngoài phạm vi',
};

/** The card fields as data: field → Coverage element. */
export const coverageFields = [
  { field: 'MA_THE_BHYT', alias: 'MA_THE', fhir: 'Coverage.identifier (BHYT card), subscriberId; class[plan] = 3rd character (mức hưởng)' },
  { field: 'MA_DKBD', fhir: 'Coverage.extension[noi-dang-ky-kcb-ban-dau] (facility code)' },
  { field: 'GT_THE_TU', fhir: 'Coverage.period.start' },
  { field: 'GT_THE_DEN', fhir: 'Coverage.period.end' },
] as const;

export function mapCoverages(xml1: XmlRecord, ctx: EpisodeContext): AdaptedEntry[] {
  const cards = splitList(xml1['MA_THE_BHYT'] ?? xml1['MA_THE']);
  const places = splitList(xml1['MA_DKBD']);
  const starts = splitList(xml1['GT_THE_TU']);
  const ends = splitList(xml1['GT_THE_DEN']);
  const entries: AdaptedEntry[] = [];
  cards.forEach((raw, i) => {
    if (raw === '') return;
    const card = parseBhytCard(raw);
    if (!card.ok) return; // already a warning from the Patient mapping
    const code = card.value.code;
    const coverage: Coverage = {
      resourceType: 'Coverage',
      identifier: [ctx.identifier(`XML1/THE/${i + 1}`), { system: IdentifierSystem.bhytCard, value: code }],
      status: 'active',
      type: { coding: [{ system: XmlSystem.coverageType, code: 'PUBLICPOL', display: 'Bảo hiểm y tế' }], text: 'BHYT' },
      subscriberId: code,
      beneficiary: ctx.patient,
      relationship: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/subscriber-relationship', code: 'self' }] },
      payor: [{ display: BHXH_PAYOR_DISPLAY }],
    };
    if (card.value.form === 'full') {
      coverage.class = [
        {
          type: { coding: [{ system: XmlSystem.coverageClass, code: 'plan' }] },
          value: String(card.value.benefitLevel),
          name: BENEFIT_LEVELS[card.value.benefitLevel],
        },
        { type: { coding: [{ system: XmlSystem.coverageClass, code: 'group' }] }, value: card.value.group, name: `Mã đối tượng ${card.value.group}` },
      ];
    }
    const start = ctx.convert(`XML1.GT_THE_TU`, starts[i] || undefined, date8);
    const end = ctx.convert(`XML1.GT_THE_DEN`, ends[i] || undefined, date8);
    if (start || end) coverage.period = { start, end };
    const place = places[i] || (places.length === 1 ? places[0] : undefined);
    if (place) coverage.extension = [{ url: XmlExtension.primaryCareFacility, valueIdentifier: { system: IdentifierSystem.facilityCode, value: place } }];
    entries.push({ fullUrl: urn(), resource: coverage });
  });
  return entries;
}
