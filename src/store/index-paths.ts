// Search parameter expressions made only of element paths and a few simple functions
// (`Observation.code`, `Patient.address.city`, `A.x | A.y`, `(Observation.value.ofType(Quantity))`,
// `Observation.effective`, `Patient.telecom.where(system='phone')`, `Patient.extension('url').value`,
// `Observation.subject.where(resolve() is Patient)`) — nearly all the R4 parameters of the types
// HSSK writes — evaluated by walking the JSON instead of through the FHIRPath engine, which was the
// largest single cost of index extraction on every write (XML ingest, household import). They give
// the same values with the same types as @medplum/core's engine (including its quirks, e.g.
// `extension()` reads the first element only); any other expression stays with the engine.
// `index-paths.test.ts` checks both agree on every parameter of real resources.
import { getElementDefinition, type TypedValue } from '@medplum/core';

type Step =
  | { kind: 'property'; key: string; type: string }
  /**
   * A choice element (`value[x]`): the first of its JSON keys present, typed by the key (as the
   * engine reads it, even when an invalid resource has two); `ofType(X)` keeps it if it is an X.
   */
  | { kind: 'choice'; keys: [jsonKey: string, type: string][]; wanted?: string }
  | { kind: 'extension'; url: string }
  | { kind: 'where-equals'; key: string; value: string }
  | { kind: 'resolves-to'; type: string };

export interface CompiledPath {
  branches: Step[][];
}

const NAME = /^[a-z][A-Za-z0-9]*$/;
const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** `(A.b.ofType(X)).c` → `A.b.ofType(X).c`: the grouping parentheses of a branch removed. */
function ungroup(text: string): string | undefined {
  let s = text.trim();
  while (s.startsWith('(')) {
    let depth = 0;
    let close = -1;
    for (let i = 0; i < s.length; i++) {
      if (s[i] === '(') depth++;
      else if (s[i] === ')' && --depth === 0) {
        close = i;
        break;
      }
    }
    if (close < 0) return undefined;
    const rest = s.slice(close + 1);
    if (rest !== '' && !rest.startsWith('.')) return undefined;
    s = s.slice(1, close) + rest;
  }
  return s;
}

/** Splits at the dots outside parentheses and quotes. */
function segments(text: string): string[] | undefined {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "'") quoted = !quoted;
    else if (!quoted && c === '(') depth++;
    else if (!quoted && c === ')') depth--;
    else if (!quoted && depth === 0 && c === '.') {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (depth !== 0 || quoted) return undefined;
  out.push(text.slice(start));
  return out;
}

function compileBranch(resourceType: string, text: string): Step[] | undefined {
  const grouped = ungroup(text);
  const parts = grouped === undefined ? undefined : segments(grouped);
  if (!parts || parts[0] !== resourceType || parts.length < 2) return undefined;
  const steps: Step[] = [];
  let type: string | undefined = resourceType;
  for (const part of parts.slice(1)) {
    let m: RegExpExecArray | null;
    if (NAME.test(part)) {
      if (type === undefined) return undefined;
      const element = getElementDefinition(type, part);
      if (!element || element.type.length === 0) return undefined;
      if (element.path.endsWith('[x]')) {
        steps.push({ kind: 'choice', keys: element.type.map((t) => [`${part}${capitalise(t.code)}`, t.code]) });
        type = element.type.length === 1 ? element.type[0]!.code : undefined;
      } else {
        if (element.type.length !== 1) return undefined;
        type = element.type[0]!.code;
        steps.push({ kind: 'property', key: part, type });
      }
    } else if ((m = /^ofType\(([A-Za-z]+)\)$/.exec(part))) {
      const last = steps.at(-1);
      if (last?.kind !== 'choice') return undefined;
      const wanted = m[1]!;
      if (last.wanted !== undefined || !last.keys.some(([, t]) => t === wanted)) return undefined;
      last.wanted = wanted;
      type = wanted;
    } else if ((m = /^extension\('([^']+)'\)$/.exec(part))) {
      steps.push({ kind: 'extension', url: m[1]! });
      type = 'Extension';
    } else if ((m = /^where\(([a-z][A-Za-z]*)\s*=\s*'([^']*)'\)$/.exec(part))) {
      if (type === undefined || !getElementDefinition(type, m[1]!)) return undefined;
      steps.push({ kind: 'where-equals', key: m[1]!, value: m[2]! });
    } else if ((m = /^where\(resolve\(\) is ([A-Z][A-Za-z]+)\)$/.exec(part))) {
      if (type !== 'Reference') return undefined;
      steps.push({ kind: 'resolves-to', type: m[1]! });
    } else {
      return undefined;
    }
  }
  return steps;
}

/** The compiled form of an expression, or undefined when the FHIRPath engine must evaluate it. */
export function compilePath(resourceType: string, expression: string): CompiledPath | undefined {
  const branches: Step[][] = [];
  for (const part of expression.split(' | ')) {
    const branch = compileBranch(resourceType, part);
    if (!branch) return undefined;
    branches.push(branch);
  }
  return branches.length ? { branches } : undefined;
}

/** The type `resolve()` gives a Reference without reading anything (as @medplum/core does). */
function resolvedType(ref: { reference?: string; type?: string; identifier?: unknown }): string | undefined {
  let target: string | undefined;
  if (typeof ref.reference === 'string' && ref.reference) target = ref.reference;
  else if (ref.type && ref.identifier) target = `${ref.type}?identifier=`;
  if (target === undefined) return undefined;
  if (target.includes('?')) return target.split('?')[0];
  if (target.includes('/')) return target.split('/')[0];
  return undefined;
}

function push(out: TypedValue[], value: unknown, type: string): void {
  if (value === undefined || value === null) return;
  if (Array.isArray(value)) {
    for (const v of value) if (v !== undefined && v !== null) out.push({ type, value: v });
  } else {
    out.push({ type, value });
  }
}

function apply(step: Step, input: TypedValue[]): TypedValue[] {
  const out: TypedValue[] = [];
  switch (step.kind) {
    case 'property':
      for (const tv of input) if (typeof tv.value === 'object') push(out, (tv.value as Record<string, unknown>)[step.key], step.type);
      return out;
    case 'choice':
      for (const tv of input) {
        if (typeof tv.value !== 'object') continue;
        const object = tv.value as Record<string, unknown>;
        const present = step.keys.find(([key]) => object[key] !== undefined && object[key] !== null);
        if (present && (step.wanted === undefined || present[1] === step.wanted)) push(out, object[present[0]], present[1]);
      }
      return out;
    case 'extension': {
      // @medplum/core reads the first element only and its first extension with that url.
      const first = input[0]?.value as { extension?: { url?: string }[] } | undefined;
      const found = first?.extension?.find((e) => e.url === step.url);
      return found ? [{ type: 'Extension', value: found }] : [];
    }
    case 'where-equals':
      return input.filter((tv) => (tv.value as Record<string, unknown>)?.[step.key] === step.value);
    case 'resolves-to':
      return input.filter((tv) => resolvedType(tv.value as Record<string, never>) === step.type);
  }
}

function sameValue(a: TypedValue, b: TypedValue): boolean {
  return a.type === b.type && (a.value === b.value || (typeof a.value === 'object' && JSON.stringify(a.value) === JSON.stringify(b.value)));
}

export function evaluatePath(path: CompiledPath, resource: object): TypedValue[] {
  let out: TypedValue[] = [];
  for (const branch of path.branches) {
    let values: TypedValue[] = [{ type: (resource as { resourceType: string }).resourceType, value: resource }];
    for (const step of branch) {
      values = apply(step, values);
      if (values.length === 0) break;
    }
    out.push(...values);
  }
  // A union (`|`) has no duplicates.
  if (path.branches.length > 1 && out.length > 1) out = out.filter((tv, i) => out.findIndex((o) => sameValue(o, tv)) === i);
  return out;
}
