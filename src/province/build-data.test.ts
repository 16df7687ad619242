import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildAdminUnits, buildIcd10 } from './build-data.ts';

// The reference folder (shared/ beside the repository) exists on development and CI machines
// only; the committed data/ files are what the app reads, so this test proves they are exactly
// what the converter makes from it.
const REFERENCE = path.join(import.meta.dirname, '../../../shared/reference');
const DATA = path.join(import.meta.dirname, '../../data');

describe.skipIf(!fs.existsSync(REFERENCE))('the data converter', () => {
  it('reproduces the committed data files byte for byte', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'hssk-data-'));
    try {
      buildAdminUnits(REFERENCE, out);
      buildIcd10(REFERENCE, out);
      for (const name of ['admin-units-2025.json', 'admin-units-pre2025.json', 'admin-units-mapping.json', 'icd10.json']) {
        expect(fs.readFileSync(path.join(out, name)).equals(fs.readFileSync(path.join(DATA, name))), name).toBe(true);
      }
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
