// The lists behind MISSION B8 ("do not store HIV/AIDS, drug-addiction or sex-work information"),
// in one place so that a change of direction by the authorities is a change of data, not of code.
// Sources: shared/reference/vn-standards.md §8 (the rule from KH 2698/KH-UBND, the code table
// checked against ICD-10 QĐ 4469/QĐ-BYT), ATC/DDD index (WHO), Vietnam's national HIV treatment
// guideline (QĐ 5456/QĐ-BYT 2019: TDF+3TC+DTG "TLD" first line). Decisions: docs/policy-b8.md.

export type ExcludedCategory = 'hiv' | 'drug-use' | 'sex-work';

/** Vietnamese labels for reports (counts only, never the excluded content itself). */
export const EXCLUSION_LABELS: Readonly<Record<ExcludedCategory, string>> = {
  hiv: 'HIV/AIDS',
  'drug-use': 'Nghiện ma túy',
  'sex-work': 'Mại dâm',
};

/** ICD-10 code prefixes (no dot, upper case). A prefix covers every sub-code: `B20` covers B20.0–B20.9. */
export const EXCLUDED_ICD10: Readonly<Record<ExcludedCategory, readonly string[]>> = {
  // vn-standards.md §8 "HIV/AIDS" row: B20–B24 (HIV disease), Z21 (asymptomatic HIV infection),
  // R75 (laboratory evidence of HIV), O98.7 (HIV complicating pregnancy), Z20.6 (exposure to HIV),
  // Z11.4 (screening for HIV), Z71.7 (HIV counselling), Z83.0 (family history of HIV).
  hiv: ['B20', 'B21', 'B22', 'B23', 'B24', 'Z21', 'R75', 'O987', 'Z206', 'Z114', 'Z717', 'Z830'],
  // vn-standards.md §8 "Drug use" row: F11–F16, F18, F19 (disorders due to opioids, cannabinoids,
  // sedatives, cocaine, other stimulants, hallucinogens, volatile solvents, multiple drugs),
  // Z72.2 (drug use), Z50.3 (drug rehabilitation), Z71.5 (drug abuse counselling), P96.1 (neonatal
  // withdrawal), P04.4 (newborn affected by maternal drug addiction), Z86.4 (history of substance
  // abuse), Z81.3 (family history of substance abuse). F10 (alcohol) and F17 (tobacco) stay.
  // Our decision (docs/policy-b8.md): T40 poisonings by substances with no medical use in Vietnam
  // or used only in substitution programmes — T40.0 opium, T40.1 heroin, T40.3 methadone,
  // T40.5 cocaine, T40.7 cannabis, T40.8 LSD, T40.9 other hallucinogens — and R78.1–R78.4
  // (opiate, cocaine, hallucinogen, other addictive drug found in blood). T40.2/T40.4/T40.6
  // (morphine, codeine, pethidine, fentanyl, unspecified narcotic) stay: usually medical overdoses.
  'drug-use': [
    'F11', 'F12', 'F13', 'F14', 'F15', 'F16', 'F18', 'F19',
    'Z722', 'Z503', 'Z715', 'P961', 'P044', 'Z864', 'Z813',
    'T400', 'T401', 'T403', 'T405', 'T407', 'T408', 'T409',
    'R781', 'R782', 'R783', 'R784',
  ],
  // No ICD-10 code means "sex work" (§8). Our decision: Z72.5 (high-risk sexual behaviour) is the
  // code HIV/STI programmes record sex work under, so it is excluded; Z70.x (counselling on sexual
  // attitude, behaviour, orientation) is not about commercial sex and stays, as do STIs (A50–A64).
  'sex-work': ['Z725'],
};

/** HIV-only antiretroviral ingredients (folded word stems; Vietnamese spellings drop the final e). */
export const HIV_ONLY_INGREDIENTS: readonly string[] = [
  'zidovudin', 'stavudin', 'didanosin', 'abacavir', 'emtricitabin',
  'efavirenz', 'nevirapin', 'etravirin', 'rilpivirin', 'doravirin',
  'lopinavir', 'atazanavir', 'darunavir', 'saquinavir', 'indinavir', 'nelfinavir', 'fosamprenavir', 'tipranavir',
  'dolutegravir', 'raltegravir', 'elvitegravir', 'bictegravir', 'cabotegravir', 'cobicistat',
  'maraviroc', 'enfuvirtid', 'fostemsavir', 'lenacapavir', 'islatravir', 'ibalizumab',
  // Ritonavir is HIV-only except as a booster in nirmatrelvir (COVID-19) and paritaprevir (hepatitis C)
  // products: see RITONAVIR_PARTNERS_NOT_HIV.
  'ritonavir',
];

/** Ingredients that also treat hepatitis B: alone they say nothing about HIV; two together do
 *  (a TDF+3TC backbone is an HIV regimen; hepatitis B is treated with one of them). */
export const HIV_OR_HBV_INGREDIENTS: readonly string[] = ['tenofovir', 'lamivudin'];

/** Products whose ritonavir is not an HIV treatment. */
export const RITONAVIR_PARTNERS_NOT_HIV: readonly string[] = ['nirmatrelvir', 'paritaprevir', 'ombitasvir', 'paxlovid'];

/** Brand and regimen names of HIV-only products (folded, whole words). */
export const HIV_PRODUCT_NAMES: readonly string[] = [
  'truvada', 'atripla', 'kaletra', 'aluvia', 'biktarvy', 'triumeq', 'tivicay', 'combivir', 'trizivir',
  'descovy', 'genvoya', 'odefsey', 'complera', 'eviplera', 'stribild', 'symtuza', 'dovato', 'juluca',
  'cabenuva', 'sustiva', 'stocrin', 'viramune', 'retrovir', 'ziagen', 'kivexa', 'reyataz', 'prezista',
  'isentress', 'edurant', 'intelence', 'selzentry', 'celsentri', 'fuzeon', 'sunlenca', 'vocabria',
];

/** Regimen names of the national programme (tenofovir+lamivudine+dolutegravir / +efavirenz):
 *  enough in a medication name, ignored in free text ("TLE" is also temporal lobe epilepsy). */
export const HIV_REGIMEN_NAMES: readonly string[] = ['tld', 'tle'];

/** Regimen abbreviations (folded). In a medication name an HIV-only one is enough; in free text
 *  they count only in combination (e.g. "TDF/3TC/EFV"), because "TLE" or "ABC" mean other things. */
export const ARV_ABBREVIATIONS_HIV_ONLY: readonly string[] = [
  'azt', 'zdv', 'd4t', 'ddi', 'ftc', 'efv', 'nvp', 'etr', 'rpv', 'lpv', 'atv', 'drv', 'dtg', 'ral', 'bic', 'cab',
];
export const ARV_ABBREVIATIONS_AMBIGUOUS: readonly string[] = ['tdf', 'taf', '3tc', 'abc'];

/** Opioid substitution and relapse-prevention ingredients (folded stems). Naltrexone is also an
 *  alcohol-dependence drug; in Vietnam it is dispensed mainly for opioid relapse prevention, so it
 *  is excluded — except with bupropion (a weight-loss product). */
export const DRUG_TREATMENT_INGREDIENTS: readonly string[] = [
  'methadon', 'metadon', 'buprenorphin', 'buprenorfin', 'naltrexon', 'levacetylmethadol', 'suboxon', 'subutex',
];
export const NALTREXONE_PARTNERS_NOT_DRUG_USE: readonly string[] = ['bupropion'];

/** ATC code prefixes (WHO ATC/DDD index). J05AF01/02/04/06/09 are HIV-only NRTIs; J05AF05
 *  lamivudine, J05AF07/13 tenofovir and J05AF08/10/11 (adefovir, entecavir, telbivudine) also or
 *  only treat hepatitis B and are left out. */
export const EXCLUDED_ATC: Readonly<Record<ExcludedCategory, readonly string[]>> = {
  hiv: ['J05AE', 'J05AG', 'J05AJ', 'J05AR', 'J05AX07', 'J05AX09', 'J05AX12', 'J05AX23', 'J05AX29', 'J05AF01', 'J05AF02', 'J05AF04', 'J05AF06', 'J05AF09'],
  // N07BC: drugs used in opioid dependence (methadone, buprenorphine, levacetylmethadol);
  // N07BB04 naltrexone (see above).
  'drug-use': ['N07BC', 'N07BB04'],
  'sex-work': [],
};

/** Free-text phrases (with diacritics; matched with or without them). Single words are whole words. */
export const EXCLUDED_PHRASES: Readonly<Record<ExcludedCategory, readonly string[]>> = {
  hiv: [
    'hiv', 'arv',
    'suy giảm miễn dịch mắc phải',
    'human immunodeficiency virus', 'acquired immunodeficiency', 'acquired immune deficiency',
  ],
  'drug-use': [
    'ma túy', 'nghiện chích', 'heroin', 'heroine', 'hêrôin', 'thuốc phiện', 'cần sa', 'thuốc lắc',
    'cocaine', 'cocain', 'methamphetamine', 'methamphetamin',
    'nghiện opioid', 'lệ thuộc opioid', 'opioid dependence', 'opioid use disorder',
    'drug addiction', 'drug abuse', 'drug use disorder', 'substance abuse', 'substance use disorder',
    'injecting drug', 'inject drugs', 'pwid',
  ],
  'sex-work': [
    'mại dâm', 'bán dâm', 'mua dâm', 'gái gọi', 'pnbd',
    'sex worker', 'sex workers', 'sex work', 'commercial sex', 'prostitution', 'prostitute', 'prostitutes',
  ],
};

/** Phrases that match only when written with diacritics: without them they are ordinary words
 *  ("can sa sut" = "cân sa sút", weight loss; "mua dam" = "mưa dầm", drizzle). */
export const DIACRITICS_REQUIRED: readonly string[] = ['cần sa', 'mua dâm'];

/** SNOMED CT concepts (a few, for codings that arrive without display text). */
export const EXCLUDED_SNOMED: Readonly<Record<ExcludedCategory, readonly string[]>> = {
  // 86406008 HIV infection, 62479008 AIDS, 165816005 HIV positive.
  hiv: ['86406008', '62479008', '165816005'],
  // 26416006 drug abuse, 191816009 drug dependence, 75544000 opioid dependence.
  'drug-use': ['26416006', '191816009', '75544000'],
  'sex-work': [],
};

/** Words that are only meaningful in upper case ("AIDS" the disease, not "hearing aids";
 *  "SIDA" the French-derived Vietnamese name; "PrEP" HIV pre-exposure prophylaxis, not "bowel prep"). */
export const CASE_SENSITIVE_WORDS: Readonly<Record<ExcludedCategory, readonly string[]>> = {
  hiv: ['AIDS', 'SIDA', 'PrEP'],
  'drug-use': [],
  'sex-work': [],
};
