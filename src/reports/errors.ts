// Errors of the report API, with the status and the Vietnamese message the caller sees.
export class ReportError extends Error {
  readonly statusCode: number;
  constructor(statusCode: number, message: string) {
    super(message);
    this.name = 'ReportError';
    this.statusCode = statusCode;
  }
}
