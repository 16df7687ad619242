// Matching quality on the generated identity test set (issue 3, "Checks and figures"): a
// synthetic province with ≥ 100,000 labelled pairs; for each pair, record b is looked up by its
// blocking keys (a pair whose keys do not meet is never compared: a missed link) and compared
// with record a by the matcher. Figures: precision of automatic links, recall, review share.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse';
import { keysOf } from '../src/identity/mpi/block-keys.ts';
import { factsFromPatient } from '../src/identity/mpi/person-facts.ts';
import { matchPersons, type PersonFacts } from '../src/identity/matcher.ts';
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

export async function identityQualityBench({ scale, log }: IdentityQualityOptions): Promise<Record<string, unknown>> {
  const pairs = Math.max(1000, Math.round(FULL_PAIRS * scale));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hssk-idq-'));
  try {
    generateProvince({ residents: pairs, pairs, seed: 'identity-quality', outDir: dir });
    log(`identity pairs: ${pairs}`);
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
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
