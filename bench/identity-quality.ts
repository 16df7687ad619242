// Matching quality on the generated identity test set (issue 3, "Checks and figures"): a
// synthetic province with ≥ 100,000 labelled pairs. Figures: precision of automatic links,
// recall, review share.
//
// Two ways of counting. `product` (the headline): what HSSK does. The province's household
// list (households.csv, where every record a is) is imported through `hssk import households`'
// code into a fresh embedded PostgreSQL, which records the communes it covers; then the
// look-alikes of the "different" pairs, who live in the province's communes and so are on a
// household list too (MISSION A3), are imported as households of their own. Each record b is
// then resolved as an incoming clinical record (no household-member identifier) by the
// pipeline's identity stage — the same BatchResolver and the same population-rule decision
// (HSSK_IDENTITY_POPULATION_RULE=auto: b's commune covered or not) as XML, CDA and forms —
// without being written, so every b meets the registry alone. It is counted twice: `auto` (the
// default) and `off` (the rule disabled). A link to anyone but a counts as no link for that
// pair; a wrong link is a link of b to a when they are different people. `pairwise`: record b
// against record a alone, by the matcher (the view when the registry holds only a).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse';
import pg from 'pg';
import { keysOf } from '../src/identity/mpi/block-keys.ts';
import { findCandidates } from '../src/identity/mpi/mpi-store.ts';
import { HOUSEHOLD_MEMBER_SYSTEM, factsFromPatient } from '../src/identity/mpi/person-facts.ts';
import type { PopulationRuleMode } from '../src/identity/mpi/population-rule.ts';
import { BatchResolver, exactKeys, identityKeys, lookupOf } from '../src/identity/mpi/resolve.ts';
import { matchPersons, type PersonFacts } from '../src/identity/matcher.ts';
import { HOUSEHOLD_COLUMNS, type HouseholdRow } from '../src/ingest/household/columns.ts';
import { importHouseholds, type HouseholdImportReport } from '../src/ingest/household/import-households.ts';
import { parseHouseholdRow, type HouseholdMember } from '../src/ingest/household/parse-row.ts';
import { openHouseholdSource } from '../src/ingest/household/read-rows.ts';
import { householdMemberValue, memberToPatient } from '../src/ingest/household/to-fhir.ts';
import { pipelinePopulationRule } from '../src/pipeline/population.ts';
import type { PipelineContext } from '../src/pipeline/types.ts';
import { csvLine } from '../src/province/csv-writer.ts';
import { generateProvince } from '../src/province/generator.ts';
import { createDatabase, type Database } from '../src/store/database.ts';
import { startEmbeddedPostgres } from '../src/store/embedded-postgres.ts';
import { migrate } from '../src/store/migrations.ts';

export interface IdentityQualityOptions {
  scale: number;
  log: (line: string) => void;
}

const FULL_PAIRS = 100_000;
const PROVINCE = '68';
const TODAY = '2026-07-01';
/** Records resolved per candidate query, as a pipeline batch would. */
const RESOLVE_BATCH = 500;

/**
 * The row as a clerk's record would hold it: fields the import would reject (a mistyped CCCD,
 * an unknown commune code) left out, and the member it parses to. Undefined when the row is
 * unreadable otherwise (no name, an impossible date).
 */
function readable(row: HouseholdRow): { row: HouseholdRow; member: HouseholdMember } | undefined {
  let current: HouseholdRow = { ...row, ma_ho: row.ma_ho || 'X' };
  for (let attempt = 0; attempt < 4; attempt++) {
    const parsed = parseHouseholdRow(current, { province: PROVINCE, today: TODAY });
    if (parsed.ok) return { row: current, member: parsed.member };
    const bad = new Set(parsed.reasons.map((r) => r.field));
    if (![...bad].every((f) => ['so_cccd', 'ma_bhxh', 'so_the_bhyt', 'ma_xa'].includes(f))) return undefined;
    current = { ...current, ...Object.fromEntries([...bad].map((f) => [f, ''])) };
  }
  return undefined;
}

function factsOf(row: HouseholdRow): PersonFacts | undefined {
  const r = readable(row);
  return r && factsFromPatient(memberToPatient(r.member));
}

async function* csvRecords(file: string): AsyncIterable<Record<string, string>> {
  yield* fs.createReadStream(file).pipe(parse({ columns: true })) as AsyncIterable<Record<string, string>>;
}

const sideOf = (rec: Record<string, string>, p: string) => Object.fromEntries(HOUSEHOLD_COLUMNS.map((c) => [c, rec[`${p}_${c}`] ?? ''])) as HouseholdRow;
const round = (x: number) => Math.round(x * 10000) / 10000;

interface ProductPair {
  truth: boolean;
  variant: string;
  /** Exact key of a's household-member identifier (how a's record is found after the import). */
  aKey: string | undefined;
  b: PersonFacts | undefined;
}

/** Writes the look-alikes (b of the "different" pairs) as a household list of their own, one household each. */
async function writeLookAlikes(dir: string): Promise<{ file: string; pairs: ProductPair[] }> {
  const file = path.join(dir, 'look-alikes.csv');
  const out = fs.createWriteStream(file);
  out.write(csvLine([...HOUSEHOLD_COLUMNS]));
  const pairs: ProductPair[] = [];
  let n = 0;
  for await (const rec of csvRecords(path.join(dir, 'identity-pairs.csv'))) {
    const truth = rec['truth'] === 'same';
    const a = readable(sideOf(rec, 'a'));
    const b = readable(sideOf(rec, 'b'));
    if (!truth && b) {
      const row = { ...b.row, ma_ho: `LA${++n}`, quan_he_chu_ho: 'Chủ hộ' };
      if (!out.write(csvLine(HOUSEHOLD_COLUMNS.map((c) => row[c] ?? '')))) await new Promise<void>((r) => out.once('drain', () => r()));
    }
    pairs.push({
      truth,
      variant: rec['variant']!,
      aKey: a && exactKeys([`${HOUSEHOLD_MEMBER_SYSTEM}|${householdMemberValue(a.member)}`])[0],
      // An incoming clinical record: the facts alone, without the registry's member identifier.
      b: b && factsFromPatient(memberToPatient(b.member)),
    });
  }
  await new Promise<void>((r) => out.end(r));
  return { file, pairs };
}

async function importList(ctx: PipelineContext, file: string, log: (l: string) => void): Promise<HouseholdImportReport> {
  return importHouseholds(ctx, openHouseholdSource(file), {
    today: TODAY,
    completeList: true,
    onProgress: (p) => log(`${path.basename(file)}: ${p.rows} rows, ${p.rowsPerSecond}/s, eta ${p.etaSeconds}s`),
    progressIntervalMs: 30_000,
  });
}

/** Each b resolved by the pipeline's identity stage under `mode`; figures as in the header. */
async function productFigures(db: Database, pairs: ProductPair[], mode: PopulationRuleMode): Promise<Record<string, unknown>> {
  const ctx = { province: PROVINCE, populationRule: mode };
  let same = 0, linkedSame = 0, linkedDifferent = 0, review = 0, reviewSame = 0, unregistered = 0;
  const wrongLinks: Record<string, number> = {};
  const missed: Record<string, number> = {};
  const reviewedBy: Record<string, number> = {};
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < pairs.length; i += RESOLVE_BATCH) {
    const chunk = pairs.slice(i, i + RESOLVE_BATCH);
    const keyed = chunk.map((p) => ({ p, keys: p.b && identityKeys(p.b) }));
    const population = await pipelinePopulationRule(db.pool, ctx);
    const resolver = await BatchResolver.load(db.pool, lookupOf(keyed.flatMap((k) => (k.keys ? [k.keys] : []))), { population });
    const aKeys = chunk.flatMap((p) => (p.aKey ? [p.aKey] : []));
    const owners = await findCandidates(db.pool, { keys: aKeys, born: aKeys.map(() => null) });
    for (const { p, keys } of keyed) {
      if (p.truth) same++;
      const a = p.aKey ? owners.byKey.get(p.aKey)?.[0] : undefined;
      if (a === undefined || p.b === undefined || keys === undefined) {
        unregistered++;
        continue;
      }
      const decided = resolver.resolve(p.b, keys);
      if (decided.decision === 'link' && decided.patientId === a) {
        if (p.truth) linkedSame++;
        else {
          linkedDifferent++;
          wrongLinks[p.variant] = (wrongLinks[p.variant] ?? 0) + 1;
        }
      } else if (decided.decision === 'review') {
        review++;
        const label = `${p.truth ? 'same' : 'different'} ${p.variant}`;
        reviewedBy[label] = (reviewedBy[label] ?? 0) + 1;
        if (p.truth) reviewSame++;
      } else if (p.truth) missed[p.variant] = (missed[p.variant] ?? 0) + 1;
    }
  }
  const used = process.cpuUsage(cpu);
  return {
    populationRule: mode,
    precisionOfAutomaticLinks: round(linkedSame / Math.max(1, linkedSame + linkedDifferent)),
    recall: round(linkedSame / Math.max(1, same)),
    recallIncludingReview: round((linkedSame + reviewSame) / Math.max(1, same)),
    reviewShare: round(review / Math.max(1, pairs.length)),
    wrongLinks: linkedDifferent,
    wrongLinksByVariant: wrongLinks,
    pairsWithoutRegisteredA: unregistered,
    missedSameByVariant: Object.fromEntries(Object.entries(missed).sort((x, y) => y[1] - x[1]).slice(0, 8)),
    reviewedByVariant: Object.fromEntries(Object.entries(reviewedBy).sort((x, y) => y[1] - x[1]).slice(0, 8)),
    // Node CPU per resolved record (candidate rows decoded, matcher): the machine is shared.
    cpuMsPerRecord: Math.round(((used.user + used.system) / 1000 / Math.max(1, pairs.length)) * 1000) / 1000,
    seconds: Math.round((performance.now() - started) / 100) / 10,
  };
}

/** The product count (see the header): import, then resolve every b under `auto` and `off`. */
async function productCount(dir: string, log: (l: string) => void): Promise<Record<string, unknown>> {
  const cluster = await startEmbeddedPostgres({ dataDir: path.join(dir, 'db'), port: 0, database: 'hssk' });
  const pool = new pg.Pool({ connectionString: cluster.url, max: 4 });
  const db = createDatabase(pool, true, async () => undefined);
  try {
    await migrate(db);
    const ctx: PipelineContext = { db, actor: { kind: 'system', name: 'bench:identity-quality' }, province: PROVINCE, asOf: TODAY, populationRule: 'auto' };
    const households = await importList(ctx, path.join(dir, 'households.csv'), log);
    const { file, pairs } = await writeLookAlikes(dir);
    const lookAlikes = await importList(ctx, file, log);
    const covered = await pool.query<{ n: string }>('SELECT count(*) AS n FROM household_coverage');
    const registered = await pool.query<{ n: string }>('SELECT count(*) AS n FROM mpi_person WHERE active');
    log(`registry: ${registered.rows[0]!.n} persons, ${covered.rows[0]!.n} communes covered; resolving ${pairs.length} records`);
    const auto = await productFigures(db, pairs, 'auto');
    log('product figures (auto) done');
    const off = await productFigures(db, pairs, 'off');
    const imported = (r: HouseholdImportReport) => ({ rows: r.rows, created: r.created, review: r.review, matched: r.matched + r.updated, rejected: r.rejected, rowsPerSecond: r.rowsPerSecond });
    return {
      households: imported(households),
      lookAlikes: imported(lookAlikes),
      registeredPersons: Number(registered.rows[0]!.n),
      communesCovered: Number(covered.rows[0]!.n),
      auto,
      off,
    };
  } finally {
    await pool.end();
    await cluster.release();
  }
}

export async function identityQualityBench({ scale, log }: IdentityQualityOptions): Promise<Record<string, unknown>> {
  const pairs = Math.max(1000, Math.round(FULL_PAIRS * scale));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hssk-idq-'));
  fs.chmodSync(dir, 0o755); // the embedded PostgreSQL runs as its own user when we are root
  try {
    generateProvince({ residents: pairs, pairs, seed: 'identity-quality', outDir: dir });
    log(`identity pairs: ${pairs}`);
    const product = await productCount(dir, log);
    log('product figures done');
    const started = performance.now();
    let same = 0, different = 0, linkedSame = 0, linkedDifferent = 0, review = 0, reviewSame = 0, notBlocked = 0, unreadable = 0;
    const wrongLinks: Record<string, number> = {};
    const missed: Record<string, number> = {};
    const parser = fs.createReadStream(path.join(dir, 'identity-pairs.csv')).pipe(parse({ columns: true }));
    for await (const rec of parser as AsyncIterable<Record<string, string>>) {
      const side = (p: string) => Object.fromEntries(HOUSEHOLD_COLUMNS.map((c) => [c, rec[`${p}_${c}`] ?? ''])) as HouseholdRow;
      const a = factsOf(side('a'));
      const b = factsOf(side('b'));
      const truthSame = rec['truth'] === 'same';
      if (truthSame) same++;
      else different++;
      if (!a || !b) {
        unreadable++;
        continue;
      }
      const stored = new Set(keysOf(a).stored);
      const blocked = keysOf(b).lookup.some((k) => stored.has(k));
      if (!blocked) notBlocked += truthSame ? 1 : 0;
      const decision = blocked ? matchPersons(b, a).decision : 'new';
      if (decision === 'link') {
        if (truthSame) linkedSame++;
        else {
          linkedDifferent++;
          wrongLinks[rec['variant']!] = (wrongLinks[rec['variant']!] ?? 0) + 1;
        }
      } else if (decision === 'review') {
        review++;
        if (truthSame) reviewSame++;
      } else if (truthSame) missed[rec['variant']!] = (missed[rec['variant']!] ?? 0) + 1;
    }
    const total = same + different;
    const round = (x: number) => Math.round(x * 10000) / 10000;
    const topMissed = Object.entries(missed).sort((x, y) => y[1] - x[1]).slice(0, 8);
    return {
      product,
      pairwise: {
      pairs: total,
      samePairs: same,
      differentPairs: different,
      precisionOfAutomaticLinks: round(linkedSame / Math.max(1, linkedSame + linkedDifferent)),
      recall: round(linkedSame / Math.max(1, same)),
      recallIncludingReview: round((linkedSame + reviewSame) / Math.max(1, same)),
      reviewShare: round(review / Math.max(1, total)),
      wrongLinks: linkedDifferent,
      wrongLinksByVariant: wrongLinks,
      samePairsNotBlocked: notBlocked,
      unreadableRows: unreadable,
      missedSameByVariant: Object.fromEntries(topMissed),
      pairsPerSecond: Math.round(total / ((performance.now() - started) / 1000)),
      },
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
