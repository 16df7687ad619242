import { describe, expect, it } from 'vitest';
import { IdentifierSystem } from '../fhir/systems.ts';
import { formatResidentId } from '../identity/resident-id.ts';
import { residentKeyLookups } from './resident-key.ts';

describe('the keys a clinician may type to ask for consent', () => {
  it('reads a CCCD typed with spaces', () => {
    expect(residentKeyLookups('068 190 000 001')).toEqual([{ system: IdentifierSystem.cccd, value: '068190000001' }]);
  });

  it('reads an HSSK resident ID in lower case, and refuses one with a wrong check character', () => {
    const id = formatResidentId('68', 12);
    expect(residentKeyLookups(id.toLowerCase())).toEqual([{ system: IdentifierSystem.residentId, value: id }]);
    const wrong = id.slice(0, -1) + (id.endsWith('0') ? '1' : '0');
    expect(residentKeyLookups(wrong)).toBeUndefined();
  });

  it('looks a full BHYT card up by the card, then by the lifelong BHXH number inside it', () => {
    expect(residentKeyLookups('gd4-68-0123456789')).toEqual([
      { system: IdentifierSystem.bhytCard, value: 'GD4680123456789' },
      { system: IdentifierSystem.bhxh, value: '0123456789' },
    ]);
    expect(residentKeyLookups('0123456789')).toEqual([{ system: IdentifierSystem.bhxh, value: '0123456789' }]);
  });

  it('refuses anything else (a name, a phone, a short number)', () => {
    for (const raw of ['Nguyễn Văn An', '0912 345 678 9', '12345', '']) expect(residentKeyLookups(raw)).toBeUndefined();
  });
});
