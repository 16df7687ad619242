// Errors of the token endpoint, in RFC 6749 §5.2 form ({error, error_description}).
export type OAuthErrorCode = 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unauthorized_client' | 'unsupported_grant_type' | 'invalid_scope';

export class OAuthError extends Error {
  override name = 'OAuthError';
  readonly error: OAuthErrorCode;
  readonly statusCode: number;
  constructor(error: OAuthErrorCode, description: string) {
    super(description);
    this.error = error;
    this.statusCode = error === 'invalid_client' ? 401 : 400;
  }
}
