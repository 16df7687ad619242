// Programmes benchmark: a synthetic province of 1,000,000 residents × scale (children with part
// of their vaccinations, hypertensive and diabetic adults with readings, pregnant women, elderly),
// then every worklist computed (`refreshAll`: FHIR programme state + worklist rows) and a
// commune's lists queried. Reports the data size, the refresh time and per-list latency.
//   node bench/programs.ts [scale]   or   import { programsBench } from './programs.ts'
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Resource } from '@medplum/fhirtypes';
import { loadConfig } from '../src/config/config.ts';
import { Extension } from '../src/fhir/systems.ts';
import { ProgramSystem } from '../src/programs/codes.ts';
import { addDays } from '../src/programs/dates.ts';
import { refreshAll } from '../src/programs/state/refresh.ts';
import { queryWorklist, WORKLISTS } from '../src/programs/worklists/worklists.ts';
import { bulkLoad } from '../src/store/bulk-load.ts';
import { openDatabase } from '../src/store/database.ts';

const FULL_RESIDENTS = 1_000_000;
const RESIDENTS_PER_COMMUNE = 8_000;
const AS_OF = '2025-03-03';

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function* residents(n: number): Generator<Resource> {
  const r = rng(42);
  const communes = Math.max(1, Math.ceil(n / RESIDENTS_PER_COMMUNE));
  const ref = (id: string) => ({ reference: `Patient/${id}` });
  const loinc = (code: string) => ({ coding: [{ system: 'http://loinc.org', code }] });
  for (let i = 0; i < n; i++) {
    const id = `b${i}`;
    const commune = `C${String(i % communes).padStart(4, '0')}`;
    const u = r();
    // Ages: 8% under 5, 12% 60+, the rest 5–59.
    const ageDays = u < 0.08 ? Math.floor(r() * 1826) : u < 0.2 ? 21_915 + Math.floor(r() * 10_950) : 1826 + Math.floor(r() * 20_089);
    const birthDate = addDays(AS_OF, -ageDays);
    const gender = r() < 0.5 ? 'male' : 'female';
    yield {
      resourceType: 'Patient', id, gender, birthDate, name: [{ text: `Cư dân ${i}` }],
      address: [{ extension: [{ url: Extension.addressCommune, valueCode: commune }, { url: Extension.addressProvince, valueCode: '68' }] }],
    } as Resource;
    if (ageDays < 1826) {
      // Children: the first doses on time, the rest missed with rising probability.
      const doses: [string, number][] = [['VGB', 0], ['BCG', 3], ['DPT-VGB-Hib', 61], ['OPV', 61], ['DPT-VGB-Hib', 91], ['OPV', 91], ['DPT-VGB-Hib', 122], ['OPV', 122], ['IPV', 152], ['SOI', 274]];
      for (const [k, [code, at]] of doses.entries()) {
        if (at > ageDays || r() < 0.05 * k) break;
        yield { resourceType: 'Immunization', status: 'completed', patient: ref(id), occurrenceDateTime: addDays(birthDate, at + Math.floor(r() * 10)),
          vaccineCode: { coding: [{ system: ProgramSystem.vaccine, code }] } } as Resource;
      }
      if (r() < 0.3) {
        yield { resourceType: 'Observation', status: 'final', subject: ref(id), effectiveDateTime: addDays(AS_OF, -Math.floor(r() * 90)), code: loinc('29463-7'),
          valueQuantity: { value: Math.round((3 + ageDays / 120) * (0.7 + r() * 0.5) * 10) / 10, unit: 'kg', code: 'kg' } } as Resource;
      }
      continue;
    }
    const years = ageDays / 365.25;
    if (years >= 40 && r() < 0.25) {
      yield { resourceType: 'Condition', subject: ref(id), recordedDate: addDays(AS_OF, -Math.floor(r() * 1500)), code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'I10' }] } } as Resource;
      if (r() < 0.7) {
        yield { resourceType: 'Observation', status: 'final', subject: ref(id), effectiveDateTime: addDays(AS_OF, -Math.floor(r() * 200)), code: loinc('85354-9'),
          component: [
            { code: loinc('8480-6'), valueQuantity: { value: 115 + Math.floor(r() * 50), unit: 'mm[Hg]', code: 'mm[Hg]' } },
            { code: loinc('8462-4'), valueQuantity: { value: 70 + Math.floor(r() * 30), unit: 'mm[Hg]', code: 'mm[Hg]' } },
          ] } as Resource;
      }
    }
    if (years >= 40 && r() < 0.07) {
      yield { resourceType: 'Condition', subject: ref(id), recordedDate: addDays(AS_OF, -Math.floor(r() * 1500)), code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'E11.9' }] } } as Resource;
    }
    if (gender === 'female' && years >= 18 && years < 40 && r() < 0.04) {
      yield { resourceType: 'Condition', subject: ref(id), recordedDate: addDays(AS_OF, -Math.floor(r() * 200)), code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'Z34' }] } } as Resource;
    }
  }
}

export async function programsBench(options: { scale: number; log: (line: string) => void; dataDir?: string }): Promise<Record<string, unknown>> {
  const n = Math.max(1000, Math.round(FULL_RESIDENTS * options.scale));
  const dataDir = options.dataDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'hssk-bench-programs-')));
  const config = loadConfig({ ...process.env, HSSK_DATA_DIR: dataDir, HSSK_DEMO: 'off', LOG_LEVEL: 'warn' });
  const db = await openDatabase(config, { poolSize: 8, statementTimeoutMs: 0 });
  try {
    options.log(`loading ${n} residents`);
    const load = await bulkLoad(db, residents(n), { validate: false, batchSize: 2000, concurrency: 4 });
    await db.pool.query('ANALYZE');
    options.log(`loaded ${load.loaded} resources in ${(load.ms / 1000).toFixed(1)} s; computing every worklist`);
    const refresh = await refreshAll(db, { asOf: AS_OF, batchSize: 1000, concurrency: 6, onProgress: (k) => k % 50_000 === 0 && options.log(`${k} residents`) });
    await db.pool.query('ANALYZE program_worklist');
    const again = await refreshAll(db, { asOf: AS_OF, batchSize: 1000, concurrency: 6 });
    const commune = 'C0000';
    const latencies: Record<string, number> = {};
    for (const def of WORKLISTS) {
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t = performance.now();
        await queryWorklist(db.pool, def, { communeCode: commune, asOf: AS_OF, limit: 2000 });
        times.push(performance.now() - t);
      }
      latencies[def.code] = Math.round(times.sort((a, b) => a - b)[2]! * 10) / 10;
    }
    const communeStart = performance.now();
    const one = await refreshAll(db, { asOf: AS_OF, communeCode: commune });
    const { rows } = await db.pool.query<{ kind: string; n: number }>('SELECT kind, count(*)::int AS n FROM program_worklist GROUP BY kind ORDER BY kind');
    return {
      residents: n,
      resourcesLoaded: load.loaded,
      communes: Math.ceil(n / RESIDENTS_PER_COMMUNE),
      refreshAllSeconds: Math.round(refresh.ms / 100) / 10,
      residentsPerSecond: Math.round(refresh.residents / (refresh.ms / 1000)),
      versionsWritten: refresh.versionsWritten,
      secondRefreshSeconds: Math.round(again.ms / 100) / 10,
      secondRefreshVersionsWritten: again.versionsWritten,
      oneCommuneRefreshSeconds: Math.round((performance.now() - communeStart) / 100) / 10,
      oneCommuneResidents: one.residents,
      worklistRows: Object.fromEntries(rows.map((r) => [r.kind, r.n])),
      communeListMedianMs: latencies,
    };
  } finally {
    await db.close();
    if (!options.dataDir) await fs.rm(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const scale = Number(process.argv[2] ?? 0.01);
  console.log(JSON.stringify(await programsBench({ scale, log: (l) => process.stderr.write(`[programs] ${l}\n`) }), null, 2));
}
