// The errors of @medplum/core's validateResource (5.2.x), found without crawling absent elements.
// Its crawler visits every element of every type's schema for every object it meets — a Coding's
// six, an Encounter's forty, an Extension's fifty value[x] choices — even when the object holds
// two of them; on ingested records that is most of the validation cost. Here each object's own
// keys say which elements are present: absent ones only need their minimum cardinality checked
// (all the original does for them), present ones go through the same checks in the same order,
// with @medplum/core's own functions (property values, FHIRPath constraints, issue builders), so
// the issues are the same. Warnings are not produced: callers keep errors only. Anything this
// port does not cover (slicing, profiles) is handed to the original validator.
// validation.differential.test.ts compares the two on generated records and on broken variants.
import {
  arrayify,
  createConstraintIssue,
  createProcessingIssue,
  createStructureIssue,
  deepEquals,
  deepIncludes,
  evalFhirPathTyped,
  fhirTypeToJsType,
  getDataType,
  getTypedPropertyValue,
  getTypedPropertyValueWithPath,
  isEmpty,
  isPrimitiveType,
  isResource,
  isResourceType,
  isValidCalendarDate,
  LRUCache,
  OperationOutcomeError,
  toTypedValue,
  tryGetDataType,
  UCUM,
  validateResource,
  validationRegexes,
  type FhirPathAtom,
  type InternalSchemaElement,
  type InternalTypeSchema,
  type TypedValue,
  type TypedValueWithPath,
} from '@medplum/core';
import type { OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';

type Constraint = NonNullable<InternalTypeSchema['constraints']>[number];

/** Constraints the original skips (it says why in its source). */
const SKIPPED_CONSTRAINTS = new Set(['ele-1', 'dom-3', 'org-1', 'sdf-19']);
const INTEGER_MIN = -2_147_483_648;
const INTEGER_MAX = 2_147_483_647;
const BASE64_MAX_BYTES = 1024 * 1024;
const fhirPathCache = new LRUCache<FhirPathAtom>(1_000);
const ucum = toTypedValue(UCUM);

/** A case the port does not cover: the whole resource goes to the original validator. */
class NotCovered extends Error {}

interface CompiledSchema {
  /** Own property name of an object (`gender`, `_birthDate`, `valueQuantity`) → element key. */
  elementOf: Map<string, string>;
  /** The same → position of the element in `keys`. */
  positionOf: Map<string, number>;
  /** Per position: the element, its property names. */
  elements: InternalSchemaElement[];
  names: { name: string; extensionName: string; type: string }[][];
  /** Element key → its property names with their type, in the order of the element's types. */
  namesOf: Map<string, { name: string; extensionName: string; type: string }[]>;
  /** Element keys in schema order, as the original visits them. */
  keys: string[];
  /** Choice-of-type prefix (`value` for `valueFoo`) of a property name, or null. */
  choicePrefix: Map<string, string | null>;
}

const compiled = new WeakMap<InternalTypeSchema, CompiledSchema>();

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function compile(schema: InternalTypeSchema): CompiledSchema {
  let c = compiled.get(schema);
  if (c) return c;
  const elementOf = new Map<string, string>();
  const positionOf = new Map<string, number>();
  const elements: InternalSchemaElement[] = [];
  const allNames: { name: string; extensionName: string; type: string }[][] = [];
  const namesOf = new Map<string, { name: string; extensionName: string; type: string }[]>();
  for (const [key, el] of Object.entries(schema.elements)) {
    if (el.slicing) throw new NotCovered();
    // The property name comes from the element's path, as in getTypedPropertyValueWithSchema.
    const last = el.path.slice(el.path.lastIndexOf('.') + 1);
    const choice = last.endsWith('[x]');
    const names = el.type.map((t) => ({ name: choice ? last.slice(0, -3) + capitalize(t.code) : last, extensionName: '', type: t.code }));
    for (const n of names) {
      n.extensionName = `_${n.name}`;
      elementOf.set(n.name, key);
      elementOf.set(n.extensionName, key);
      positionOf.set(n.name, elements.length);
      positionOf.set(n.extensionName, elements.length);
    }
    namesOf.set(key, names);
    elements.push(el);
    allNames.push(names);
  }
  c = { elementOf, positionOf, elements, names: allNames, namesOf, keys: Object.keys(schema.elements), choicePrefix: new Map() };
  compiled.set(schema, c);
  return c;
}

/** Whether an object or array holds anything (isPopulated of @medplum/core, without listing keys). */
function populated(v: object): boolean {
  if ('length' in v && (v as { length: number }).length > 0) return true;
  for (const key in v) if (Object.hasOwn(v, key)) return true;
  return false;
}

/**
 * getTypedPropertyValueWithPath for an element of the object's own type: the first of its types
 * whose property is set, typed and with its path. A primitive extension (`_birthDate`) goes to
 * @medplum/core, which merges it into the value.
 */
function readProperty(obj: TypedValueWithPath, key: string, element: InternalSchemaElement, names: { name: string; extensionName: string; type: string }[]): TypedValueWithPath | TypedValueWithPath[] {
  const object = obj.value as Record<string, unknown> | null | undefined;
  const path = obj.path ? `${obj.path}.${key}` : key;
  if (!object || names.length === 0) return { type: 'undefined', value: undefined, path };
  let value: unknown;
  let type = 'undefined';
  for (const n of names) {
    value = object[n.name];
    if (object[n.extensionName] !== undefined) return getTypedPropertyValueWithPath(obj, key);
    if (value !== undefined) {
      type = n.type;
      break;
    }
  }
  // isEmpty: an empty string, object or array counts as absent.
  if (value === undefined || value === null || value === '' || (typeof value === 'object' && !populated(value))) return { type: 'undefined', value: undefined, path };
  if (type === 'Element' || type === 'BackboneElement') type = element.type[0]!.code;
  const typed = (v: unknown, at: string): TypedValueWithPath => ({ type: type === 'Resource' && isResource(v) ? v.resourceType : type, value: v, path: at });
  return Array.isArray(value) ? value.map((v, i) => typed(v, `${path}[${i}]`)) : typed(value, path);
}

/** FHIRPath `exists()` of a property, read as the FHIRPath engine reads it. */
function propertyExists(value: TypedValueWithPath, key: string): boolean {
  const schema = tryGetDataType(value.type);
  const element = schema?.elements[key];
  if (!schema || !element) return false;
  const found = arrayify(readProperty(value, key, element, compile(schema).namesOf.get(key)!))!.filter((e) => e?.value !== undefined);
  return found.length > 0 && found.every((e) => !isEmpty(e.value));
}

/** Whether the value is an object of a type that has the element, without the element set. */
function lacks(value: TypedValueWithPath, key: string): boolean {
  const object = value.value as Record<string, unknown> | null;
  return !!object && typeof object === 'object' && !!tryGetDataType(value.type)?.elements[key] && object[key] === undefined && object[`_${key}`] === undefined;
}

/** The JSON object of a value, if it is one. */
function objectOf(value: TypedValueWithPath): Record<string, unknown> | undefined {
  const v = value.value;
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/**
 * No key of the element in the object: neither `name` nor `_name` (its primitive extension), nor,
 * for a choice element, any `name<Type>` / `_name<Type>`. FHIRPath then finds nothing there.
 */
function absent(object: Record<string, unknown>, name: string, choice = false): boolean {
  if (object[name] !== undefined || object[`_${name}`] !== undefined) return false;
  if (!choice) return true;
  for (const key of Object.keys(object)) {
    const bare = key.startsWith('_') ? key.slice(1) : key;
    if (bare.length > name.length && bare.startsWith(name) && /[A-Z]/.test(bare[name.length]!)) return false;
  }
  return true;
}

/**
 * An object with a key, or a non-empty array of only such objects: FHIRPath's exists() on it is
 * certainly true. (Not "an array with one such object": @medplum/core's engine finds nothing in
 * `[{}, {reference: …}]`.)
 */
function holdsObject(value: unknown): boolean {
  const populatedObject = (v: unknown) => !!v && typeof v === 'object' && !Array.isArray(v) && populated(v);
  return Array.isArray(value) ? value.length > 0 && value.every(populatedObject) : populatedObject(value);
}

/** A string with a visible character: FHIRPath's exists() on it is certainly true. */
const holdsText = (value: unknown): boolean => typeof value === 'string' && /\S/.test(value);

/**
 * Absent or a single string: an operand the engine can compare without an error. It evaluates
 * both sides of `or`/`implies` and reports an error thrown by either (a `status` given as an
 * array makes `status in (…)` throw), so a shortcut must not skip an operand that would throw.
 */
const singleOrAbsent = (value: unknown): boolean => value === undefined || typeof value === 'string';

/** `test` on the value's object; undefined (evaluate the expression) when the value is not an object. */
const onObject = (test: (object: Record<string, unknown>) => boolean) => (v: TypedValueWithPath): boolean | undefined => {
  const object = objectOf(v);
  return object && test(object) ? true : undefined;
};

/**
 * The R4 invariants met on nearly every record, answered without the FHIRPath engine where the
 * answer is certain (true); anything else is evaluated as usual. ext-1 alone, on every Extension,
 * cost more than the rest of validation (FHIRPath's `value` tries all fifty value[x] types).
 * Keyed by key and expression, so a changed definition is evaluated as written.
 */
const SHORTCUTS = new Map<string, (value: TypedValueWithPath) => boolean | undefined>([
  [
    'ext-1 extension.exists() != value.exists()',
    (v) => (v.type === 'Extension' && v.value && typeof v.value === 'object' ? propertyExists(v, 'extension') !== propertyExists(v, 'value[x]') : undefined),
  ],
  ['dom-2 contained.contained.empty()', (v) => lacks(v, 'contained') || undefined],
  ['dom-4 contained.meta.versionId.empty() and contained.meta.lastUpdated.empty()', (v) => lacks(v, 'contained') || undefined],
  ['dom-5 contained.meta.security.empty()', (v) => lacks(v, 'contained') || undefined],
  // Those evaluated on every ingested episode (a Composition's sections, each Observation, …):
  // true when an element they test is absent or holds a populated object or a non-blank string.
  ['cmp-1 text.exists() or entry.exists() or section.exists()', onObject((o) => holdsObject(o['text']) || holdsObject(o['entry']) || holdsObject(o['section']))],
  ['cmp-2 emptyReason.empty() or entry.empty()', onObject((o) => absent(o, 'emptyReason') || absent(o, 'entry'))],
  ['obs-6 dataAbsentReason.empty() or value.empty()', onObject((o) => absent(o, 'dataAbsentReason') || absent(o, 'value', true))],
  [
    'obs-7 value.empty() or component.code.where(coding.intersect(%resource.code.coding).exists()).empty()',
    onObject((o) => absent(o, 'value', true) || absent(o, 'component')),
  ],
  ['app-1 type.exists() or actor.exists()', onObject((o) => holdsObject(o['type']) || holdsObject(o['actor']))],
  ['app-2 start.exists() = end.exists()', onObject((o) => (absent(o, 'start') && absent(o, 'end')) || (holdsText(o['start']) && holdsText(o['end'])))],
  ["app-3 (start.exists() and end.exists()) or (status in ('proposed' | 'cancelled' | 'waitlist'))", onObject((o) => holdsText(o['start']) && holdsText(o['end']) && singleOrAbsent(o['status']))],
  [
    "app-4 Appointment.cancelationReason.exists() implies (Appointment.status='noshow' or Appointment.status='cancelled')",
    onObject((o) => absent(o, 'cancelationReason') && singleOrAbsent(o['status'])),
  ],
  ['mdd-1 whenHandedOver.empty() or whenPrepared.empty() or whenHandedOver >= whenPrepared', onObject((o) => (absent(o, 'whenHandedOver') || absent(o, 'whenPrepared')) && singleOrAbsent(o['whenHandedOver']) && singleOrAbsent(o['whenPrepared']))],
  [
    "con-4 abatement.empty() or clinicalStatus.coding.where(system='http://terminology.hl7.org/CodeSystem/condition-clinical' and (code='resolved' or code='remission' or code='inactive')).exists()",
    onObject((o) => absent(o, 'abatement', true)),
  ],
  [
    "con-5 verificationStatus.coding.where(system='http://terminology.hl7.org/CodeSystem/condition-ver-status' and code='entered-in-error').empty() or clinicalStatus.empty()",
    onObject((o) => absent(o, 'verificationStatus') || absent(o, 'clinicalStatus') || notEnteredInError(o['verificationStatus'])),
  ],
]);

/** A CodeableConcept whose codings are plain objects, none with the code `entered-in-error`. */
function notEnteredInError(concept: unknown): boolean {
  if (!concept || typeof concept !== 'object' || Array.isArray(concept)) return false;
  const coding = (concept as { coding?: unknown }).coding;
  if (coding === undefined) return true;
  return Array.isArray(coding) && coding.every((c) => !!c && typeof c === 'object' && typeof (c as { code?: unknown }).code === 'string' && (c as { code: string }).code !== 'entered-in-error' && (c as { _code?: unknown })._code === undefined);
}

/**
 * Whether checkObjectForNull could find anything — a null anywhere, or an undefined array item —
 * walked without building the paths and keys it builds for every property (almost never used).
 */
function mayHoldNull(obj: object): boolean {
  for (const key in obj) {
    if (!Object.hasOwn(obj, key)) continue;
    const value = (obj as Record<string, unknown>)[key];
    if (value === null) return true;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        if (item === undefined || item === null || (typeof item === 'object' && mayHoldNull(item))) return true;
      }
    } else if (typeof value === 'object' && value !== undefined && mayHoldNull(value)) return true;
  }
  return false;
}

function checkObjectForNull(obj: Record<string, unknown>, path: string, issues: OperationOutcomeIssue[]): void {
  for (const [key, value] of Object.entries(obj)) {
    const propertyPath = `${path}.${key}`;
    const partnerKey = key.startsWith('_') ? key.slice(1) : `_${key}`;
    if (value === null) {
      issues.push(createStructureIssue(propertyPath, 'Invalid null value'));
    } else if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        if (value[i] === undefined) {
          issues.push(createStructureIssue(`${propertyPath}[${i}]`, 'Invalid undefined value'));
        } else if (value[i] === null && !(obj[partnerKey] as unknown[] | undefined)?.[i]) {
          issues.push(createStructureIssue(`${propertyPath}[${i}]`, 'Invalid null value'));
        } else if (value[i]) {
          checkObjectForNull(value[i] as Record<string, unknown>, `${propertyPath}[${i}]`, issues);
        }
      }
    } else if (typeof value === 'object') {
      checkObjectForNull(value as Record<string, unknown>, propertyPath, issues);
    }
  }
}

function unpackPrimitiveElement(v: TypedValue): [TypedValue | undefined, TypedValue | undefined] {
  if (typeof v.value !== 'object' || !v.value) return [v, undefined];
  const primitiveValue = (v.value as object).valueOf();
  if (primitiveValue === v.value) return [undefined, { type: 'Element', value: v.value }];
  const primitiveKeys = new Set(Object.keys(primitiveValue));
  const extensionEntries = Object.entries(v.value as object).filter(([k]) => !primitiveKeys.has(k));
  return [{ type: v.type, value: primitiveValue }, { type: 'Element', value: extensionEntries.length > 0 ? Object.fromEntries(extensionEntries) : undefined }];
}

function isValidBase64Binary(str: string): boolean {
  if (str.length === 0) return false;
  const padding = str.endsWith('==') ? 2 : str.endsWith('=') ? 1 : 0;
  const dataLen = str.length - padding;
  if (dataLen < 0 || (padding + dataLen) % 4 !== 0) return false;
  return /^[A-Za-z\d+/]+$/.test(padding > 0 ? str.slice(0, -padding) : str);
}

class Validator {
  readonly issues: OperationOutcomeIssue[] = [];
  private readonly root: TypedValue;
  private readonly resourceStack: Resource[] = [];

  constructor(root: TypedValue) {
    this.root = root;
    if (isResource(root.value)) this.resourceStack.push(root.value);
  }

  validate(): void {
    const schema = getDataType(this.root.type);
    if (mayHoldNull(this.root.value as object)) checkObjectForNull(this.root.value as Record<string, unknown>, schema.path, this.issues);
    this.constraintsCheck({ ...this.root, path: schema.path }, schema);
    this.crawlObject({ ...this.root, path: schema.path }, schema, schema.path);
  }

  private crawlObject(obj: TypedValueWithPath, schema: InternalTypeSchema, path: string): void {
    const isRes = isResource(obj.value);
    if (isRes) this.resourceStack.push(obj.value as Resource);
    const c = compile(schema);
    // The property values are read through the schema of the value's own type; when that is not
    // the schema being crawled, presence by own keys could differ, so every element is read.
    const sameSchema = tryGetDataType(obj.type) === schema;
    const present = new Uint8Array(c.keys.length);
    if (sameSchema && obj.value !== null && obj.value !== undefined) {
      for (const key of Object.keys(obj.value as object)) {
        const at = c.positionOf.get(key);
        if (at !== undefined) present[at] = 1;
      }
    }
    for (let i = 0; i < c.keys.length; i++) {
      const key = c.keys[i]!;
      const element = c.elements[i]!;
      if (sameSchema && present[i] === 0) {
        // What the original finds for an absent element: a value `undefined` at this path.
        if (element.min > 0) this.issues.push(createStructureIssue(`${obj.path ? `${obj.path}.` : ''}${key}`, 'Missing required property'));
        continue;
      }
      const value = sameSchema ? readProperty(obj, key, element, c.names[i]!) : getTypedPropertyValueWithPath(obj, key);
      const at = `${path}.${key}`;
      this.visitProperty(at, value, element);
      if (Array.isArray(value)) for (const v of value) this.crawlPropertyValue(v, at, schema);
      else this.crawlPropertyValue(value, at, schema);
    }
    this.checkAdditionalProperties(obj, schema.elements, c, sameSchema);
    if (isRes) this.resourceStack.pop();
  }

  private crawlPropertyValue(value: TypedValueWithPath, path: string, schema: InternalTypeSchema): void {
    if (isPrimitiveType(value.type)) return;
    const type = schema.innerTypes?.find((t) => t.name === value.type) ?? getDataType(value.type);
    this.crawlObject(value, type, path);
  }

  private visitProperty(path: string, value: TypedValueWithPath | TypedValueWithPath[], element: InternalSchemaElement): void {
    if (!Array.isArray(value) && value.value === undefined) {
      if (element.min > 0) this.issues.push(createStructureIssue(value.path, 'Missing required property'));
      return;
    }
    if (isEmpty(value)) {
      this.issues.push(createStructureIssue(path, 'Invalid empty value'));
      return;
    }
    let values: TypedValueWithPath[];
    if (element.isArray) {
      if (!Array.isArray(value)) {
        this.issues.push(createStructureIssue(path, 'Expected array of values for property'));
        return;
      }
      values = value;
    } else {
      if (Array.isArray(value)) {
        this.issues.push(createStructureIssue(path, 'Expected single value for property'));
        return;
      }
      values = [value];
    }
    if (values.length < element.min || values.length > element.max) {
      this.issues.push(
        createStructureIssue(element.path, `Invalid number of values: expected ${element.min}..${Number.isFinite(element.max) ? element.max : '*'}, but found ${values.length}`),
      );
    }
    if (element.pattern || element.fixed) {
      const typeAndValue = Array.isArray(value) ? value.map((v) => ({ type: v.type, value: v.value })) : { type: value.type, value: value.value };
      if ((element.pattern && !deepIncludes(typeAndValue, element.pattern)) || (element.fixed && !deepEquals(typeAndValue, element.fixed))) {
        this.issues.push(createStructureIssue(path, 'Value did not match expected pattern'));
      }
    }
    for (const v of values) {
      this.constraintsCheck(v, element);
      this.checkPropertyValue(v);
    }
  }

  private checkPropertyValue(value: TypedValueWithPath): void {
    if (isPrimitiveType(value.type)) this.validatePrimitiveType(value);
    else if (isEmpty(value.value)) this.issues.push(createStructureIssue(value.path, 'Invalid empty non-primitive value'));
  }

  private checkAdditionalProperties(parent: TypedValueWithPath, properties: Record<string, InternalSchemaElement>, c: CompiledSchema, sameSchema: boolean): void {
    const path = parent.path;
    const object = parent.value as Record<string, unknown> | undefined;
    if (!object) return;
    for (const key of Object.keys(object)) {
      if (key === 'resourceType') continue;
      if (this.isChoiceOfType(parent, key, properties, c, sameSchema)) continue;
      if (!(key in properties) && !(key.startsWith('_') && key.slice(1) in properties) && object[key] !== undefined) {
        this.issues.push(createStructureIssue(`${path}.${key}`, `Invalid additional property "${key}"`));
      }
    }
  }

  /** Whether `key` names the type of a choice element that holds a value (isChoiceOfType of the original). */
  private isChoiceOfType(parent: TypedValue, key: string, properties: Record<string, InternalSchemaElement>, c: CompiledSchema, sameSchema: boolean): boolean {
    let prefix = c.choicePrefix.get(key);
    if (prefix === undefined) {
      prefix = null;
      let test = '';
      for (const part of (key.startsWith('_') ? key.slice(1) : key).split(/(?=[A-Z])/g)) {
        test += part;
        if (properties[`${test}[x]`]) {
          prefix = test;
          break;
        }
      }
      c.choicePrefix.set(key, prefix);
    }
    if (prefix === null) return false;
    if (!sameSchema) return !!getTypedPropertyValue(parent, prefix);
    // getTypedPropertyValue finds `prefix` or `prefix[x]` in the parent's type, which is this schema.
    const elementKey = properties[prefix] ? prefix : `${prefix}[x]`;
    const found = readProperty({ ...parent, path: '' }, elementKey, properties[elementKey]!, c.namesOf.get(elementKey)!);
    return Array.isArray(found) || found.value !== undefined;
  }

  private constraintsCheck(value: TypedValueWithPath, field: { constraints?: Constraint[] }): void {
    for (const constraint of field.constraints ?? []) {
      if (constraint.severity !== 'error' || SKIPPED_CONSTRAINTS.has(constraint.key)) continue;
      const shortcut = SHORTCUTS.get(`${constraint.key} ${constraint.expression}`)?.(value);
      if (shortcut === true) continue;
      if (!this.isExpressionTrue(constraint, value)) {
        this.issues.push(createConstraintIssue(value.path, constraint));
        return;
      }
    }
  }

  private isExpressionTrue(constraint: Constraint, value: TypedValueWithPath): boolean {
    const variables: Record<string, TypedValue> = { '%context': value, '%ucum': ucum };
    const resource = this.resourceStack.at(-1);
    if (resource) variables['%resource'] = toTypedValue(resource);
    if (isResource(this.root.value)) variables['%rootResource'] = this.root;
    try {
      const result = evalFhirPathTyped(constraint.expression, [value], variables, fhirPathCache);
      return result.length === 1 && result[0]!.value === true;
    } catch (err) {
      this.issues.push(createProcessingIssue(value.path, 'Error evaluating invariant expression', err as Error, { fhirpath: constraint.expression }));
      return false;
    }
  }

  private validatePrimitiveType(typedValue: TypedValueWithPath): void {
    const [primitive, extension] = unpackPrimitiveElement(typedValue);
    const path = typedValue.path;
    if (primitive) {
      const { type, value } = primitive;
      if (!(type in fhirTypeToJsType)) {
        this.issues.push(createStructureIssue(path, `Invalid JSON type: ${type} is not a valid FHIR type`));
        return;
      }
      const expected = fhirTypeToJsType[type as keyof typeof fhirTypeToJsType];
      if (typeof value !== expected) {
        if (value !== null) this.issues.push(createStructureIssue(path, `Invalid JSON type: expected ${expected}, but got ${typeof value}`));
        return;
      }
      if (type === 'base64Binary') this.validateBase64Binary(value as string, path);
      else if (expected === 'string') this.validateString(value as string, type, path);
      else if (expected === 'number') this.validateNumber(value as number, type, path);
    }
    if (extension) this.crawlObject({ ...extension, path }, getDataType('Element'), path);
  }

  private validateBase64Binary(str: string, path: string): void {
    if (!isValidBase64Binary(str)) {
      this.issues.push(createStructureIssue(path, 'Invalid base64Binary format'));
      return;
    }
    const padding = str.endsWith('==') ? 2 : str.endsWith('=') ? 1 : 0;
    if (Math.max(0, Math.floor((str.length * 3) / 4) - padding) > BASE64_MAX_BYTES) {
      this.issues.push(createStructureIssue(path, `base64Binary exceeds ${BASE64_MAX_BYTES} bytes`));
    }
  }

  private validateString(str: string, type: string, path: string): void {
    if (!str.trim()) {
      this.issues.push(createStructureIssue(path, 'String must contain non-whitespace content'));
      return;
    }
    if (str.length > 1024 * 1024) {
      this.issues.push(createStructureIssue(path, 'String cannot be larger than 1 MB'));
      return;
    }
    const regex = validationRegexes[type];
    if (regex && !regex.exec(str)) this.issues.push(createStructureIssue(path, `Invalid ${type} format`));
    else if ((type === 'date' || type === 'dateTime' || type === 'instant') && !isValidCalendarDate(str)) this.issues.push(createStructureIssue(path, `Invalid ${type} value`));
  }

  private validateNumber(n: number, type: string, path: string): void {
    const integerType = type === 'integer' || type === 'positiveInt' || type === 'unsignedInt';
    if (Number.isNaN(n) || !Number.isFinite(n)) this.issues.push(createStructureIssue(path, 'Invalid numeric value'));
    else if (integerType && !Number.isInteger(n)) this.issues.push(createStructureIssue(path, 'Expected number to be an integer'));
    else if (type === 'integer' && (n < INTEGER_MIN || n > INTEGER_MAX)) this.issues.push(createStructureIssue(path, `Expected number to be in the range ${INTEGER_MIN}..${INTEGER_MAX}`));
    else if (type === 'positiveInt' && (n < 1 || n > INTEGER_MAX)) this.issues.push(createStructureIssue(path, `Expected number to be in the range 1..${INTEGER_MAX}`));
    else if (type === 'unsignedInt' && (n < 0 || n > INTEGER_MAX)) this.issues.push(createStructureIssue(path, `Expected number to be in the range 0..${INTEGER_MAX}`));
  }
}

function errorsOf(issues: OperationOutcomeIssue[]): OperationOutcomeIssue[] {
  return issues.filter((i) => i.severity === 'error' || i.severity === 'fatal');
}

/** The error and fatal issues @medplum/core's validateResource reports for the resource (none when valid). */
export function structureErrors(resource: Resource): OperationOutcomeIssue[] {
  if (isResourceType(resource.resourceType)) {
    const validator = new Validator(toTypedValue(resource));
    try {
      validator.validate();
      return errorsOf(validator.issues);
    } catch (err) {
      // An unknown data type stops the original with an OperationOutcomeError, earlier issues lost.
      if (err instanceof OperationOutcomeError) return errorsOf(err.outcome.issue ?? []);
      if (!(err instanceof NotCovered)) throw err;
    }
  }
  return originalErrors(resource);
}

/** The same through @medplum/core's own validator (for the cases the port leaves to it, and for tests). */
export function originalErrors(resource: Resource): OperationOutcomeIssue[] {
  try {
    return errorsOf(validateResource(resource));
  } catch (err) {
    if (err instanceof OperationOutcomeError) return errorsOf(err.outcome.issue ?? []);
    throw err;
  }
}
