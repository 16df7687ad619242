// MISSION B8: HIV/AIDS, drug-addiction and sex-work information is never stored, whatever the
// input path (XML 4210/130, CDA, the FHIR API, forms). Every channel asks this module about each
// resource it is about to store and drops the resource whole when the answer is a category:
// partial redaction would leave traces (a Condition with its code removed still says "something
// was hidden here"). The lists live in ./excluded-lists.ts; the decisions in docs/policy-b8.md.
import type { Resource } from '@medplum/fhirtypes';
import {
  ARV_ABBREVIATIONS_AMBIGUOUS,
  ARV_ABBREVIATIONS_HIV_ONLY,
  CASE_SENSITIVE_WORDS,
  DIACRITICS_REQUIRED,
  DRUG_TREATMENT_INGREDIENTS,
  EXCLUDED_ATC,
  EXCLUDED_ICD10,
  EXCLUDED_PHRASES,
  EXCLUDED_SNOMED,
  HIV_ONLY_INGREDIENTS,
  HIV_OR_HBV_INGREDIENTS,
  HIV_PRODUCT_NAMES,
  HIV_REGIMEN_NAMES,
  NALTREXONE_PARTNERS_NOT_DRUG_USE,
  RITONAVIR_PARTNERS_NOT_HIV,
  type ExcludedCategory,
} from './excluded-lists.ts';
import { containsPhrase, fold, words, type Word } from './fold.ts';
import { drugNameMayMatch, lowerNfc, Memo, textMayMatch } from './prefilter.ts';

export { EXCLUSION_LABELS, type ExcludedCategory } from './excluded-lists.ts';

/** Checked in this order when several apply, so a result is deterministic. */
const CATEGORIES: readonly ExcludedCategory[] = ['hiv', 'drug-use', 'sex-work'];

// ---------------------------------------------------------------------------------------------
// Diagnoses

/** `B20.1`, `B201`, ` b20 `, `B20.1†` all become `B201` / `B20`. */
function normaliseIcd10(code: string): string {
  return code.toUpperCase().replace(/[\s.†*+!]/g, '');
}

/**
 * The excluded category of an ICD-10 code, in any of the forms the inputs use (`B20.1`, `B201`,
 * `b20`, with spaces). A `;`- or `,`-separated list (XML3 `MA_BENH_KT`) is checked code by code.
 */
export function classifyDiagnosis(icd10: string): ExcludedCategory | undefined {
  return diagnosisMemo.get(icd10, () => classifyDiagnosisUncached(icd10) ?? null) ?? undefined;
}

const diagnosisMemo = new Memo<ExcludedCategory | null>();

function classifyDiagnosisUncached(icd10: string): ExcludedCategory | undefined {
  for (const part of icd10.split(/[;,]/)) {
    const code = normaliseIcd10(part);
    if (!/^[A-Z]\d{2}/.test(code)) continue;
    for (const category of CATEGORIES) {
      if (EXCLUDED_ICD10[category].some((prefix) => code.startsWith(prefix))) return category;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Medications

function classifyAtc(code: string): ExcludedCategory | undefined {
  const atc = code.toUpperCase().replace(/\s/g, '');
  if (!/^[A-Z]\d{2}[A-Z]/.test(atc)) return undefined;
  for (const category of CATEGORIES) {
    if (EXCLUDED_ATC[category].some((prefix) => atc.startsWith(prefix))) return category;
  }
  return undefined;
}

const AMBIGUOUS_ABBREVIATION_MOLECULE: Readonly<Record<string, string>> = {
  tdf: 'tenofovir',
  taf: 'tenofovir',
  '3tc': 'lamivudin',
  abc: 'abacavir',
};

/**
 * Antiretroviral and opioid-treatment evidence in a list of words. `standalone` says whether an
 * HIV-only regimen abbreviation ("EFV") is enough on its own: yes in a medication name, no in free
 * text where short upper-case words mean many things.
 */
function classifyDrugWords(text: Word[], standalone: boolean): ExcludedCategory | undefined {
  const folded = text.map((w) => w.folded);
  const has = (stems: readonly string[]): boolean => folded.some((w) => stems.some((stem) => w.startsWith(stem)));

  const ritonavirIsHiv = !has(RITONAVIR_PARTNERS_NOT_HIV);
  const hivOnly = HIV_ONLY_INGREDIENTS.filter((stem) => stem !== 'ritonavir' || ritonavirIsHiv);
  if (has(hivOnly)) return 'hiv';
  if (folded.some((w) => HIV_PRODUCT_NAMES.includes(w))) return 'hiv';
  if (standalone && folded.some((w) => HIV_REGIMEN_NAMES.includes(w))) return 'hiv';

  // Distinct molecules among hepatitis-B-also ingredients and regimen abbreviations: two or more
  // together form an HIV regimen ("TDF/3TC", "tenofovir + lamivudine"); one alone does not.
  const molecules = new Set<string>();
  for (const w of folded) {
    for (const stem of HIV_OR_HBV_INGREDIENTS) if (w.startsWith(stem)) molecules.add(stem);
    if (ARV_ABBREVIATIONS_AMBIGUOUS.includes(w)) molecules.add(AMBIGUOUS_ABBREVIATION_MOLECULE[w] ?? w);
    if (ARV_ABBREVIATIONS_HIV_ONLY.includes(w)) {
      if (standalone) return 'hiv';
      molecules.add(w);
    }
  }
  if (molecules.size >= 2) return 'hiv';

  const naltrexoneIsDrugTreatment = !has(NALTREXONE_PARTNERS_NOT_DRUG_USE);
  const drugTreatment = DRUG_TREATMENT_INGREDIENTS.filter((stem) => stem !== 'naltrexon' || naltrexoneIsDrugTreatment);
  if (has(drugTreatment)) return 'drug-use';
  return undefined;
}

/**
 * The excluded category of a medicine: antiretrovirals (HIV) and opioid substitution or relapse
 * prevention (drug use), from an ATC code and/or the name, Vietnamese or English, diacritics and
 * case ignored. Tenofovir or lamivudine alone are hepatitis B treatments and are not excluded;
 * together, or with any HIV-only ingredient, they are an HIV regimen.
 */
export function classifyMedication(code: string | undefined, name: string | undefined): ExcludedCategory | undefined {
  const byCode = code === undefined ? undefined : classifyAtc(code);
  if (byCode !== undefined) return byCode;
  if (name === undefined) return undefined;
  return medicationNameMemo.get(name, () => (drugNameMayMatch(lowerNfc(name)) ? classifyDrugWords(words(name), true) : undefined) ?? null) ?? undefined;
}

const medicationNameMemo = new Memo<ExcludedCategory | null>();

// ---------------------------------------------------------------------------------------------
// Free text

/** Phrases indexed by their first word's folded form: most words of a text start no phrase. */
interface IndexedPhrase {
  category: ExcludedCategory;
  phrase: string;
  diacriticsRequired: boolean;
}
const PHRASE_INDEX: ReadonlyMap<string, readonly IndexedPhrase[]> = (() => {
  const index = new Map<string, IndexedPhrase[]>();
  for (const category of CATEGORIES) {
    for (const phrase of EXCLUDED_PHRASES[category]) {
      const first = fold(phrase.split(' ')[0] ?? '');
      const list = index.get(first) ?? [];
      list.push({ category, phrase, diacriticsRequired: DIACRITICS_REQUIRED.includes(phrase) });
      index.set(first, list);
    }
  }
  return index;
})();

/** "HIV", "HIV-1" (split at the hyphen), "HIV1", "antiHIV", "HIVAb", "HIVRNA". */
const HIV_WORD = /^(anti)?hiv\d*(ab|ag|rna|dna|vl|p24)*$/;

/** An ICD-10 code written with its dot inside free text ("Chẩn đoán: B20.7"). Undotted forms are
 *  not looked for in prose: "B20" is also a room, a form number, a bus. */
const DOTTED_ICD10 = /(?<![\p{L}\p{N}])[A-Z]\d{2}\.\d{1,2}(?![\p{L}\p{N}])/gu;

function classifyWords(text: Word[]): ExcludedCategory | undefined {
  const found = new Set<ExcludedCategory>();
  for (let i = 0; i < text.length; i++) {
    const word = text[i]!;
    if (HIV_WORD.test(word.folded)) found.add('hiv');
    const candidates = PHRASE_INDEX.get(word.folded);
    if (candidates === undefined) continue;
    for (const candidate of candidates) {
      const window = text.slice(i, i + candidate.phrase.split(' ').length);
      if (candidate.diacriticsRequired && !writtenWithDiacritics(window, candidate.phrase)) continue;
      if (containsPhrase(window, candidate.phrase)) found.add(candidate.category);
    }
  }
  return CATEGORIES.find((c) => found.has(c));
}

/** Whether each word the phrase spells with diacritics was written with them. */
function writtenWithDiacritics(window: Word[], phrase: string): boolean {
  return phrase.split(' ').every((expected, j) => fold(expected) === expected.toLowerCase() || window[j]?.plain === false);
}

/**
 * The excluded category mentioned in free text (diagnosis text, notes, narrative), in Vietnamese or
 * English, with or without diacritics. Whole words only: "lao" is not HIV, "chưa phát hiện" is not
 * "HIV", "ma" alone is not "ma túy", and "mà tụy" written with diacritics is not "ma túy".
 */
export function classifyText(text: string): ExcludedCategory | undefined {
  if (text.trim() === '') return undefined;
  return textMemo.get(text, () => classifyTextUncached(text) ?? null) ?? undefined;
}

const textMemo = new Memo<ExcludedCategory | null>();

function classifyTextUncached(text: string): ExcludedCategory | undefined {
  // Almost no text mentions anything excluded: one precompiled screen proves it (./prefilter.ts).
  if (!textMayMatch(lowerNfc(text))) return undefined;
  const found = new Set<ExcludedCategory>();
  const list = words(text);
  const byWords = classifyWords(list);
  if (byWords !== undefined) found.add(byWords);
  const byDrugs = classifyDrugWords(list, false);
  if (byDrugs !== undefined) found.add(byDrugs);
  for (const match of text.normalize('NFC').matchAll(/[\p{L}\p{N}]+/gu)) {
    for (const category of CATEGORIES) if (CASE_SENSITIVE_WORDS[category].includes(match[0])) found.add(category);
  }
  for (const match of text.matchAll(DOTTED_ICD10)) {
    const category = classifyDiagnosis(match[0]);
    if (category !== undefined) found.add(category);
  }
  return CATEGORIES.find((c) => found.has(c));
}

// ---------------------------------------------------------------------------------------------
// Resources

const ICD10_SYSTEM = /icd-?10|2\.16\.840\.1\.113883\.6\.3$|2\.16\.840\.1\.113883\.6\.90$/i;
const ATC_SYSTEM = /whocc\.no\/atc|2\.16\.840\.1\.113883\.6\.73$/i;
const SNOMED_SYSTEM = /snomed\.info\/sct|2\.16\.840\.1\.113883\.6\.96$/i;

/** Keys whose string values are machinery (ids, URIs, references), not content. */
const SKIPPED_KEYS = new Set(['id', 'meta', 'system', 'url', 'reference', 'fullUrl', 'profile', 'hash', 'contentType', 'language', 'resourceType']);

/** Keys holding the CodeableConcept of a medicine. */
const MEDICATION_KEYS = new Set(['medicationCodeableConcept', 'itemCodeableConcept']);

/** Attachment content types whose base64 `data` is text we can read. */
const TEXT_CONTENT = /^(text\/|application\/(xml|json|fhir|xhtml|hl7))/i;

interface Coding {
  system?: unknown;
  code?: unknown;
  display?: unknown;
}

/**
 * The excluded category of one coded value (system, code, display) as found outside a FHIR
 * resource, e.g. a CDA `code`/`value` element whose system is an OID (`urn:oid:…` or bare).
 * ICD-10, SNOMED CT and ATC codes are recognised; the display is read as free text.
 */
export function classifyCode(system: string | undefined, code: string | undefined, display?: string): ExcludedCategory | undefined {
  const normalisedSystem = system !== undefined && /^\d+(\.\d+)+$/.test(system) ? `urn:oid:${system}` : system;
  return (
    classifyCoding({ system: normalisedSystem, code, display }, false) ??
    (display === undefined ? undefined : classifyText(display))
  );
}

function classifyCoding(coding: Coding, medication: boolean): ExcludedCategory | undefined {
  const system = typeof coding.system === 'string' ? coding.system : '';
  const code = typeof coding.code === 'string' ? coding.code : undefined;
  const display = typeof coding.display === 'string' ? coding.display : undefined;
  if (code !== undefined && ICD10_SYSTEM.test(system)) {
    const category = classifyDiagnosis(code);
    if (category !== undefined) return category;
  }
  if (code !== undefined && SNOMED_SYSTEM.test(system)) {
    const category = CATEGORIES.find((c) => EXCLUDED_SNOMED[c].includes(code));
    if (category !== undefined) return category;
  }
  if (medication || ATC_SYSTEM.test(system)) {
    return classifyMedication(ATC_SYSTEM.test(system) ? code : undefined, display);
  }
  return undefined;
}

/** Narrative XHTML to plain text: tags become spaces so words on either side stay apart. */
function xhtmlToText(xhtml: string): string {
  return xhtml
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&#x([0-9a-f]+);/gi, (_, n: string) => String.fromCodePoint(Number.parseInt(n, 16)))
    .replace(/&amp;/g, '&');
}

function classifyAttachment(attachment: Record<string, unknown>): ExcludedCategory | undefined {
  const data = attachment['data'];
  const contentType = attachment['contentType'];
  if (typeof data !== 'string' || typeof contentType !== 'string' || !TEXT_CONTENT.test(contentType)) return undefined;
  return classifyText(xhtmlToText(Buffer.from(data, 'base64').toString('utf8')));
}

function walk(value: unknown, key: string, resourceType: string, found: Set<ExcludedCategory>): void {
  if (typeof value === 'string') {
    const category = key === 'div' ? classifyText(xhtmlToText(value)) : classifyText(value);
    if (category !== undefined) found.add(category);
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) walk(item, key, resourceType, found);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const object = value as Record<string, unknown>;
  // A contained resource is walked under its own type (a contained Medication's `code` is a medicine).
  const type = typeof object['resourceType'] === 'string' ? object['resourceType'] : resourceType;
  const medication = MEDICATION_KEYS.has(key) || (type === 'Medication' && key === 'code');
  const codings = object['coding'];
  if (Array.isArray(codings)) {
    for (const coding of codings) {
      if (coding === null || typeof coding !== 'object') continue;
      const category = classifyCoding(coding as Coding, medication);
      if (category !== undefined) found.add(category);
    }
    if (medication && typeof object['text'] === 'string') {
      const category = classifyMedication(undefined, object['text']);
      if (category !== undefined) found.add(category);
    }
  } else if (typeof object['system'] === 'string' && typeof object['code'] === 'string') {
    const category = classifyCoding(object as Coding, medication);
    if (category !== undefined) found.add(category);
  }
  if (typeof object['data'] === 'string') {
    const category = classifyAttachment(object);
    if (category !== undefined) found.add(category);
  }
  for (const childKey in object) {
    if (!Object.hasOwn(object, childKey) || SKIPPED_KEYS.has(childKey) || childKey === 'data') continue;
    const child = object[childKey];
    // No vaccine is in an excluded category; a vaccination record is kept unless its text says otherwise.
    if (type === 'Immunization' && childKey === 'vaccineCode') continue;
    walk(child, childKey, type, found);
  }
}

/**
 * The excluded category of a FHIR resource, if any part of it is excluded: any ICD-10 (or known
 * SNOMED CT) coding, any medicine (ATC code or name), any text — displays, `text`, notes,
 * narrative `div`, readable attachments. The caller drops the resource whole and counts it.
 */
export function classifyResource(resource: Resource): ExcludedCategory | undefined {
  const found = new Set<ExcludedCategory>();
  walk(resource, '', resource.resourceType, found);
  return CATEGORIES.find((c) => found.has(c));
}
