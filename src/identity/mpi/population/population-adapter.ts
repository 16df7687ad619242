// Verification against the national population database (CSDL quốc gia về dân cư, MISSION A6).
// The database has no public API: HSSK defines the contract an adapter fulfils, and ships a
// file-based adapter (a verification result file received from the police / C06).

/** What the population database says about a CCCD. */
export interface PopulationRecord {
  cccd: string;
  fullName?: string;
  /** FHIR date. */
  birthDate?: string;
  sex?: 'male' | 'female';
  /** The database's answer: the citizen exists and the data given matches ('match'), differs, or no such CCCD. */
  result: 'match' | 'mismatch' | 'not-found';
  /** When the database answered (yyyy-mm-dd). */
  verifiedOn: string;
}

export interface PopulationDatabaseAdapter {
  /** Answers for as many CCCDs as it can; an adapter may stream a whole file instead of asking. */
  records(): AsyncIterable<PopulationRecord>;
}
