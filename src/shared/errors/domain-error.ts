/**
 * Every error the service means to show a caller. Each concrete class declares its stable, documented `code`
 * (`MODULE.REASON`) once, as a static member; its kind (the class it extends) decides the HTTP status in the
 * one exception filter, and nowhere else. The README's table of codes is tested against these definitions
 * (`src/shared/errors/error-codes.spec.ts`), so a code has one definition and one status.
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

/** The code and kind of an error whose class does not fix them (a provider failure, a replayed answer). */
export interface ErrorIdentity {
  code: string;
  kind: ErrorKind;
}

interface DomainErrorClass {
  readonly name: string;
  readonly code?: string;
  readonly kind?: ErrorKind;
}

export abstract class DomainError extends Error {
  /** The kind of every error of the class; set by the classes below. */
  static readonly kind?: ErrorKind;
  /** The code of every error of the class; set by each concrete class. */
  static readonly code?: string;
  /** Never an HTTP answer: recorded only where it happened (a provisioning step's `lastError`). */
  static readonly recordedOnly?: boolean;

  readonly code: string;
  readonly kind: ErrorKind;

  constructor(
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
    identity?: ErrorIdentity,
  ) {
    super(message);
    const type = new.target as DomainErrorClass;
    this.name = type.name;
    const code = identity?.code ?? type.code;
    const kind = identity?.kind ?? type.kind;
    if (code === undefined || kind === undefined) throw new Error(`${type.name} declares no code or kind`);
    this.code = code;
    this.kind = kind;
  }
}

export abstract class InvalidInputError extends DomainError {
  static override readonly kind: ErrorKind = 'invalid';
}

export abstract class UnauthorizedError extends DomainError {
  static override readonly kind: ErrorKind = 'unauthorized';
}

export abstract class NotFoundError extends DomainError {
  static override readonly kind: ErrorKind = 'not-found';
}

export abstract class ConflictError extends DomainError {
  static override readonly kind: ErrorKind = 'conflict';
}

export abstract class UnprocessableError extends DomainError {
  static override readonly kind: ErrorKind = 'unprocessable';
}

export abstract class RateLimitedError extends DomainError {
  static override readonly kind: ErrorKind = 'rate-limited';

  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    details: Record<string, unknown> = {},
  ) {
    super(message, details);
  }
}

export abstract class ServiceUnavailableError extends DomainError {
  static override readonly kind: ErrorKind = 'unavailable';
}

/**
 * A provider (Twilio, Vapi) failed, or a step found the providers not as it needs them; `retryable` tells callers
 * whether it may pass (5xx, 429, timeouts, dropped connections). An adapter's failures come from its
 * `ProviderFailures` (`provider-failure.ts`), which passes their code; other subclasses declare theirs.
 */
export class ProviderFailureError extends DomainError {
  static override readonly kind: ErrorKind = 'provider-failure';

  constructor(
    message: string,
    readonly retryable: boolean,
    details: Record<string, unknown> = {},
    diagnostics: Record<string, unknown> = {},
    code?: string,
  ) {
    super(
      message,
      details,
      [],
      diagnostics,
      code === undefined ? undefined : { code, kind: 'provider-failure' },
    );
  }
}
