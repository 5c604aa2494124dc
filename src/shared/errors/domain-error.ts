/**
 * Every error the service means to show a caller. The `code` is a stable, documented identifier
 * (`MODULE.REASON`); the kind decides the HTTP status in the one exception filter, and nowhere else.
 */
export type ErrorKind =
  | 'invalid'
  | 'unauthorized'
  | 'not-found'
  | 'conflict'
  | 'unprocessable'
  | 'rate-limited'
  | 'provider-failure'
  | 'unavailable';

export interface FieldProblem {
  /** Dotted path of the offending field, e.g. `areaCode` or `body.number`. */
  field: string;
  message: string;
}

export abstract class DomainError extends Error {
  abstract readonly kind: ErrorKind;

  constructor(
    readonly code: string,
    /** Shown to the caller: our words only, never a provider's message or identifiers. */
    message: string,
    /** Extra members for the problem body; never secrets, never a provider's raw text. */
    readonly details: Record<string, unknown> = {},
    readonly errors: FieldProblem[] = [],
    /**
     * For the operator, never for the caller: what a provider answered (its message, codes, the operation), written
     * to the log under the request id by the exception filter and never into an answer.
     */
    readonly diagnostics: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class InvalidInputError extends DomainError {
  readonly kind = 'invalid';
}

export class UnauthorizedError extends DomainError {
  readonly kind = 'unauthorized';
}

export class NotFoundError extends DomainError {
  readonly kind = 'not-found';
}

export class ConflictError extends DomainError {
  readonly kind = 'conflict';
}

export class UnprocessableError extends DomainError {
  readonly kind = 'unprocessable';
}

export class RateLimitedError extends DomainError {
  readonly kind = 'rate-limited';

  constructor(
    code: string,
    message: string,
    readonly retryAfterSeconds: number,
    details: Record<string, unknown> = {},
  ) {
    super(code, message, details);
  }
}

/** A provider (Twilio, Vapi) failed in a way that may pass: 5xx, 429, timeouts, dropped connections. */
export class ProviderFailureError extends DomainError {
  readonly kind = 'provider-failure';

  constructor(
    code: string,
    message: string,
    readonly retryable: boolean,
    details: Record<string, unknown> = {},
    diagnostics: Record<string, unknown> = {},
  ) {
    super(code, message, details, [], diagnostics);
  }
}

export class ServiceUnavailableError extends DomainError {
  readonly kind = 'unavailable';
}
