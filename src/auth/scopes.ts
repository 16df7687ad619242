// SMART on FHIR scopes, v1 (`system/Patient.read`, `system/*.write`) and v2
// (`system/Observation.cruds`, `system/*.rs`), parsed into permissions per resource type.

export type Interaction = 'read' | 'search' | 'create' | 'update' | 'delete';

const V2_LETTERS: Record<string, Interaction> = { c: 'create', r: 'read', u: 'update', d: 'delete', s: 'search' };
const V2_ORDER = 'cruds';

export interface ParsedScope {
  context: 'system' | 'user' | 'patient';
  /** A resource type, or '*'. */
  resourceType: string;
  interactions: ReadonlySet<Interaction>;
}

/** Parses one scope; undefined when it is not a resource scope HSSK honours. */
export function parseScope(scope: string): ParsedScope | undefined {
  const match = /^(system|user|patient)\/(\*|[A-Z][A-Za-z]+)\.([a-z*]+)$/.exec(scope);
  if (!match) return undefined; // includes v2 scopes with ?param= restrictions: they grant nothing
  const [, context, resourceType, access] = match as unknown as [string, ParsedScope['context'], string, string];
  let interactions: Interaction[];
  if (access === 'read') interactions = ['read', 'search'];
  else if (access === 'write') interactions = ['create', 'update', 'delete'];
  else if (access === '*') interactions = ['read', 'search', 'create', 'update', 'delete'];
  else {
    // v2: letters in the order c, r, u, d, s, each at most once.
    let last = -1;
    interactions = [];
    for (const letter of access) {
      const position = V2_ORDER.indexOf(letter);
      if (position <= last) return undefined;
      last = position;
      interactions.push(V2_LETTERS[letter]!);
    }
  }
  return { context, resourceType, interactions: new Set(interactions) };
}

export function parseScopes(scopes: readonly string[]): ParsedScope[] {
  return scopes.flatMap((s) => parseScope(s) ?? []);
}

export function splitScopeString(scope: string | undefined): string[] {
  return (scope ?? '').split(/\s+/).filter((s) => s.length > 0);
}

// A token's actor (and its scope list) is cached until expiry, so its scopes are parsed once,
// not at every check of every request (that was 4 % of a create's CPU).
const parsedScopes = new WeakMap<readonly string[], ParsedScope[]>();

function parsedOnce(scopes: readonly string[]): ParsedScope[] {
  let parsed = parsedScopes.get(scopes);
  if (!parsed) parsedScopes.set(scopes, (parsed = parseScopes(scopes)));
  return parsed;
}

/** Whether the (system) scopes allow `interaction` on `resourceType`. */
export function canAccess(scopes: readonly string[] | readonly ParsedScope[], resourceType: string, interaction: Interaction): boolean {
  const parsed = scopes.length > 0 && typeof scopes[0] === 'string' ? parsedOnce(scopes as string[]) : (scopes as ParsedScope[]);
  return parsed.some(
    (s) => s.context === 'system' && (s.resourceType === '*' || s.resourceType === resourceType) && s.interactions.has(interaction),
  );
}

/** Whether `requested` asks for nothing beyond `granted`. */
export function scopeCovered(requested: string, granted: readonly string[]): boolean {
  const want = parseScope(requested);
  if (!want) return false;
  const have = parseScopes(granted).filter(
    (g) => g.context === want.context && (g.resourceType === '*' || g.resourceType === want.resourceType),
  );
  return [...want.interactions].every((i) => have.some((g) => g.interactions.has(i)));
}

/** The scopes a token gets: the requested ones the client is registered for (all when none requested). */
export function grantScopes(requested: readonly string[], registered: readonly string[]): string[] {
  if (requested.length === 0) return [...registered];
  return requested.filter((s) => scopeCovered(s, registered));
}
