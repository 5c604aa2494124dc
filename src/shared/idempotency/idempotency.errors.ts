import {
  ConflictError,
  DomainError,
  InvalidInputError,
  UnprocessableError,
  type ErrorKind,
  type FieldProblem,
} from '../errors/index.js';

export class IdempotencyKeyInvalidError extends InvalidInputError {
  constructor() {
    super(
      'IDEMPOTENCY.INVALID_KEY',
      'The Idempotency-Key header must be 1 to 255 printable ASCII characters.',
    );
  }
}

export class IdempotencyMismatchError extends UnprocessableError {
  constructor() {
    super(
      'IDEMPOTENCY.MISMATCH',
      'This Idempotency-Key was used with a different request; use a new key for a new request.',
    );
  }
}

export class IdempotencyInProgressError extends ConflictError {
  constructor() {
    super(
      'IDEMPOTENCY.IN_PROGRESS',
      'A request with this Idempotency-Key is still in progress; retry shortly to get its answer.',
    );
  }
}

/** A client error stored with a key, thrown again (same code, message and details) when the key is replayed. */
export class ReplayedError extends DomainError {
  constructor(
    readonly kind: ErrorKind,
    code: string,
    message: string,
    details: Record<string, unknown>,
    errors: FieldProblem[],
  ) {
    super(code, message, details, errors);
  }
}
