// Matching quality on the generated identity test set (issue 3, "Checks and figures"): a
// synthetic province with ≥ 100,000 labelled pairs; for each pair, record b is looked up by its
// blocking keys (a pair whose keys do not meet is never compared: a missed link) and compared
// with record a by the matcher. Figures: precision of automatic links, recall, review share.
//
// Two ways of counting. `pairwise`: record b against record a alone (the matcher's view when
// the registry holds only a). `population` (the headline): b resolved, as the pipeline does,
// among all candidates of the registered province — households.csv, where a is, plus the
// look-alikes of the "different" pairs, who live in the province's communes and so are
// registered too under MISSION A3 — with the population rule of decideAmongCandidates
// (`populationComplete`). A link to anyone but a counts as no link for that pair; a wrong link
// is a link of b to a when they are different people.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse';
import { keysOf } from '../src/identity/mpi/block-keys.ts';
import { factsFromPatient } from '../src/identity/mpi/person-facts.ts';
import { decideAmongCandidates, matchPersons, type PersonFacts } from '../src/identity/matcher.ts';
import { HOUSEHOLD_COLUMNS, type HouseholdRow } from '../src/ingest/household/columns.ts';
import { parseHouseholdRow } from '../src/ingest/household/parse-row.ts';
import { memberToPatient } from '../src/ingest/household/to-fhir.ts';
import { generateProvince } from '../src/province/generator.ts';

export interface IdentityQualityOptions {
  scale: number;
  log: (line: string) => void;
}

const FULL_PAIRS = 100_000;

/** The facts of a row; fields the import would reject (a mistyped CCCD) are left out, as a clerk's record would lack them. */
function factsOf(row: HouseholdRow): PersonFacts | undefined {
  let current: HouseholdRow = { ...row, ma_ho: row.ma_ho || 'X' };
  for (let attempt = 0; attempt < 4; attempt++) {
    const parsed = parseHouseholdRow(current, { province: '68', today: '2026-07-01' });
    if (parsed.ok) return factsFromPatient(memberToPatient(parsed.member));
    const bad = new Set(parsed.reasons.map((r) => r.field));
    if (![...bad].every((f) => ['so_cccd', 'ma_bhxh', 'so_the_bhyt', 'ma_xa'].includes(f))) return undefined;
    current = { ...current, ...Object.fromEntries([...bad].map((f) => [f, ''])) };
  }
  return undefined;
}

/** Same bucket limit as the resolver (src/identity/mpi/resolve.ts). */
const MAX_BUCKET = 400;

/** The registered population: persons by id and their stored blocking keys. */
class Registry {
  readonly persons: PersonFacts[] = [];
  readonly byKey = new Map<string, number[]>();
  add(facts: PersonFacts): number {
    const id = this.persons.push(facts) - 1;
    for (const k of keysOf(facts).stored) {
      const list = this.byKey.get(k);
      if (list) list.push(id);
      else this.byKey.set(k, [id]);
    }
    return id;
  }
  candidates(facts: PersonFacts): { id: number; facts: PersonFacts }[] {
    const lookup = keysOf(facts).lookup;
    const ids = new Set<number>();
    for (const k of lookup) {
      const bucket = this.byKey.get(k);
      if (!bucket || (lookup.length > 1 && bucket.length > MAX_BUCKET)) continue;
      for (const id of bucket) ids.add(id);
    }
    return [...ids].map((id) => ({ id, facts: this.persons[id]! }));
  }
}

const rowKey = (row: HouseholdRow) => HOUSEHOLD_COLUMNS.map((c) => row[c]).join('|');

async function* csvRecords(file: string): AsyncIterable<Record<string, string>> {
  yield* fs.createReadStream(file).pipe(parse({ columns: true })) as AsyncIterable<Record<string, string>>;
}

/** Figures of b resolved among the whole registered population (see the header). */
async function populationFigures(dir: string): Promise<Record<string, unknown>> {
  const registry = new Registry();
  const idOfRow = new Map<string, number>();
  for await (const rec of csvRecords(path.join(dir, 'households.csv'))) {
    const facts = factsOf(rec as unknown as HouseholdRow);
    if (facts) idOfRow.set(rowKey(rec as unknown as HouseholdRow), registry.add(facts));
  }
  const pairs: { truth: boolean; variant: string; a: number | undefined; b: PersonFacts | undefined }[] = [];
  for await (const rec of csvRecords(path.join(dir, 'identity-pairs.csv'))) {
    const side = (p: string) => Object.fromEntries(HOUSEHOLD_COLUMNS.map((c) => [c, rec[`${p}_${c}`] ?? ''])) as HouseholdRow;
    const truth = rec['truth'] === 'same';
    const b = factsOf(side('b'));
    // A look-alike is a resident of the province: registered like everyone else.
    if (!truth && b) registry.add(b);
    pairs.push({ truth, variant: rec['variant']!, a: idOfRow.get(rowKey(side('a'))), b });
  }
  let same = 0, linkedSame = 0, linkedDifferent = 0, review = 0, reviewSame = 0, comparisons = 0;
  const wrongLinks: Record<string, number> = {};
  const missed: Record<string, number> = {};
  const reviewedBy: Record<string, number> = {};
  for (const p of pairs) {
    if (p.truth) same++;
    if (p.a === undefined || p.b === undefined) continue;
    const found = registry.candidates(p.b);
    comparisons += found.length;
    const decided = decideAmongCandidates(p.b, found, { populationComplete: true });
    const linkedToA = decided.decision === 'link' && decided.candidate === p.a;
    // A review that shows a as the best candidate puts this pair before a person.
    const toReview = decided.decision === 'review';
    if (linkedToA) {
      if (p.truth) linkedSame++;
      else {
        linkedDifferent++;
        wrongLinks[p.variant] = (wrongLinks[p.variant] ?? 0) + 1;
      }
    } else if (toReview) {
      review++;
      const label = `${p.truth ? 'same' : 'different'} ${p.variant}`;
      reviewedBy[label] = (reviewedBy[label] ?? 0) + 1;
      if (p.truth) reviewSame++;
    } else if (p.truth) missed[p.variant] = (missed[p.variant] ?? 0) + 1;
  }
  const round = (x: number) => Math.round(x * 10000) / 10000;
  return {
    registered: registry.persons.length,
    // What the matcher costs per incoming record grows with the buckets, i.e. with the population.
    candidatesPerRecord: Math.round((comparisons / Math.max(1, pairs.length)) * 10) / 10,
    precisionOfAutomaticLinks: round(linkedSame / Math.max(1, linkedSame + linkedDifferent)),
    recall: round(linkedSame / Math.max(1, same)),
    recallIncludingReview: round((linkedSame + reviewSame) / Math.max(1, same)),
    reviewShare: round(review / Math.max(1, pairs.length)),
    wrongLinks: linkedDifferent,
    wrongLinksByVariant: wrongLinks,
    missedSameByVariant: Object.fromEntries(Object.entries(missed).sort((x, y) => y[1] - x[1]).slice(0, 8)),
    reviewedByVariant: Object.fromEntries(Object.entries(reviewedBy).sort((x, y) => y[1] - x[1]).slice(0, 8)),
  };
}

export async function identityQualityBench({ scale, log }: IdentityQualityOptions): Promise<Record<string, unknown>> {
  const pairs = Math.max(1000, Math.round(FULL_PAIRS * scale));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hssk-idq-'));
  try {
    generateProvince({ residents: pairs, pairs, seed: 'identity-quality', outDir: dir });
    log(`identity pairs: ${pairs}`);
    const population = await populationFigures(dir);
    log('population figures done');
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
      population,
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
