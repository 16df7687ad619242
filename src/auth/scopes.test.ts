import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canAccess, grantScopes, parseScope, type Interaction } from './scopes.ts';

describe('SMART scopes', () => {
  it('reads v1 scopes: read covers read and search, write covers create, update and delete', () => {
    expect(canAccess(['system/Patient.read'], 'Patient', 'read')).toBe(true);
    expect(canAccess(['system/Patient.read'], 'Patient', 'search')).toBe(true);
    expect(canAccess(['system/Patient.read'], 'Patient', 'update')).toBe(false);
    expect(canAccess(['system/Patient.read'], 'Observation', 'read')).toBe(false);
    expect(canAccess(['system/*.write'], 'Encounter', 'create')).toBe(true);
    expect(canAccess(['system/*.write'], 'Encounter', 'read')).toBe(false);
    expect(canAccess(['system/*.*'], 'Encounter', 'delete')).toBe(true);
  });

  it('reads v2 scopes letter by letter', () => {
    expect(canAccess(['system/*.rs'], 'Condition', 'search')).toBe(true);
    expect(canAccess(['system/*.rs'], 'Condition', 'create')).toBe(false);
    expect(canAccess(['system/Observation.cruds'], 'Observation', 'delete')).toBe(true);
    expect(canAccess(['system/Observation.cu'], 'Observation', 'update')).toBe(true);
  });

  it('refuses malformed scopes, letters out of order, query-restricted v2 scopes and non-system contexts', () => {
    expect(parseScope('system/Observation.sr')).toBeUndefined();
    expect(parseScope('system/Observation.rr')).toBeUndefined();
    expect(parseScope('system/Observation.rs?category=laboratory')).toBeUndefined();
    expect(parseScope('system/observation.read')).toBeUndefined();
    expect(parseScope("system/Patient.read' OR 1=1")).toBeUndefined();
    expect(canAccess(['patient/*.read'], 'Patient', 'read')).toBe(false);
    expect(canAccess(['openid', 'launch'], 'Patient', 'read')).toBe(false);
    expect(canAccess([], 'Patient', 'read')).toBe(false);
  });

  it('grants only requested scopes the client is registered for', () => {
    expect(grantScopes(['system/Patient.rs', 'system/Patient.d'], ['system/Patient.read'])).toEqual(['system/Patient.rs']);
    expect(grantScopes([], ['system/*.read'])).toEqual(['system/*.read']);
    expect(grantScopes(['system/*.read'], ['system/Patient.read'])).toEqual([]);
  });

  it('never lets a granted scope reach beyond the registered ones (property)', () => {
    const types = fc.constantFrom('Patient', 'Observation', '*');
    const access = fc.constantFrom('read', 'write', '*', 'rs', 'cud', 'cruds', 'r', 's');
    const scope = fc.tuple(types, access).map(([t, a]) => `system/${t}.${a}`);
    const interaction = fc.constantFrom<Interaction>('read', 'search', 'create', 'update', 'delete');
    fc.assert(
      fc.property(fc.array(scope, { maxLength: 3 }), fc.array(scope, { maxLength: 3 }), fc.constantFrom('Patient', 'Observation'), interaction, (req, reg, type, i) => {
        const granted = grantScopes(req, reg);
        if (canAccess(granted, type, i)) expect(canAccess(reg, type, i)).toBe(true);
      }),
    );
  });
});
