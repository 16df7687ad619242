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
  for (const [key, el] of Object.entries(schema.elements)) {
    if (el.slicing) throw new NotCovered();
    // The property name comes from the element's path, as in getTypedPropertyValueWithSchema.
    const last = el.path.slice(el.path.lastIndexOf('.') + 1);
    const names = last.endsWith('[x]') ? el.type.map((t) => last.slice(0, -3) + capitalize(t.code)) : [last];
    for (const name of names) {
      elementOf.set(name, key);
      elementOf.set(`_${name}`, key);
    }
  }
  c = { elementOf, keys: Object.keys(schema.elements), choicePrefix: new Map() };
  compiled.set(schema, c);
  return c;
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
    checkObjectForNull(this.root.value as Record<string, unknown>, schema.path, this.issues);
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
    const present = new Set<string>();
    if (sameSchema && obj.value !== null && obj.value !== undefined) {
      for (const key of Object.keys(obj.value as object)) {
        const el = c.elementOf.get(key);
        if (el !== undefined) present.add(el);
      }
    }
    for (const key of c.keys) {
      const element = schema.elements[key]!;
      if (sameSchema && !present.has(key)) {
        // What the original finds for an absent element: a value `undefined` at this path.
        if (element.min > 0) this.issues.push(createStructureIssue(`${obj.path ? `${obj.path}.` : ''}${key}`, 'Missing required property'));
        continue;
      }
      const value = getTypedPropertyValueWithPath(obj, key);
      this.visitProperty(`${path}.${key}`, value, element);
      for (const v of arrayify(value)) this.crawlPropertyValue(v, `${path}.${key}`, schema);
    }
    this.checkAdditionalProperties(obj, schema.elements, c, obj.path);
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

  private checkAdditionalProperties(parent: TypedValueWithPath, properties: Record<string, InternalSchemaElement>, c: CompiledSchema, path: string): void {
    const object = parent.value as Record<string, unknown> | undefined;
    if (!object) return;
    for (const key of Object.keys(object)) {
      if (key === 'resourceType') continue;
      if (this.isChoiceOfType(parent, key, properties, c)) continue;
      if (!(key in properties) && !(key.startsWith('_') && key.slice(1) in properties) && object[key] !== undefined) {
        this.issues.push(createStructureIssue(`${path}.${key}`, `Invalid additional property "${key}"`));
      }
    }
  }

  /** Whether `key` names the type of a choice element that holds a value (isChoiceOfType of the original). */
  private isChoiceOfType(parent: TypedValue, key: string, properties: Record<string, InternalSchemaElement>, c: CompiledSchema): boolean {
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
    return prefix !== null && !!getTypedPropertyValue(parent, prefix);
  }

  private constraintsCheck(value: TypedValueWithPath, field: { constraints?: Constraint[] }): void {
    for (const constraint of field.constraints ?? []) {
      if (constraint.severity === 'error' && !SKIPPED_CONSTRAINTS.has(constraint.key) && !this.isExpressionTrue(constraint, value)) {
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
