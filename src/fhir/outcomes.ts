// Errors as types: every failure the FHIR API can report is a FhirError carrying its HTTP status
// and an OperationOutcome. One place (http/plugins/fhir) turns them into responses.
import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';

export type IssueCode = OperationOutcomeIssue['code'];

export class FhirError extends Error {
  readonly status: number;
  readonly outcome: OperationOutcome;
  constructor(status: number, outcome: OperationOutcome) {
    super(outcome.issue?.map((i) => i.diagnostics ?? i.details?.text).join('; ') || `HTTP ${status}`);
    this.name = 'FhirError';
    this.status = status;
    this.outcome = outcome;
  }
}

export function issue(code: IssueCode, text: string, expression?: string | string[], severity: OperationOutcomeIssue['severity'] = 'error'): OperationOutcomeIssue {
  return {
    severity,
    code,
    details: { text },
    ...(expression !== undefined ? { expression: Array.isArray(expression) ? expression : [expression] } : {}),
  };
}

export function outcome(...issues: OperationOutcomeIssue[]): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: issues };
}

export const badRequest = (text: string, expression?: string | string[]) =>
  new FhirError(400, outcome(issue('invalid', text, expression)));
export const notFound = (text: string) => new FhirError(404, outcome(issue('not-found', text)));
export const gone = (text: string) => new FhirError(410, outcome(issue('deleted', text)));
export const conflict = (text: string) => new FhirError(409, outcome(issue('conflict', text)));
export const preconditionFailed = (text: string) => new FhirError(412, outcome(issue('conflict', text)));
export const forbidden = (text: string) => new FhirError(403, outcome(issue('forbidden', text)));
export const unauthorized = (text: string) => new FhirError(401, outcome(issue('login', text)));
export const notSupported = (text: string) => new FhirError(400, outcome(issue('not-supported', text)));
export const unprocessable = (text: string, expression?: string | string[]) =>
  new FhirError(422, outcome(issue('processing', text, expression)));
export const tooCostly = (text: string) => new FhirError(400, outcome(issue('too-costly', text)));

export function informational(text: string): OperationOutcome {
  return outcome(issue('informational', text, undefined, 'information'));
}
