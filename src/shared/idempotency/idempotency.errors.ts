import {
  ConflictError,
  DomainError,
  InvalidInputError,
  UnprocessableError,
  type ErrorKind,
  type FieldProblem,
} from '../errors/index.js';

export class IdempotencyKeyInvalidError extends InvalidInputError {
  static override readonly code = 'IDEMPOTENCY.INVALID_KEY';

  constructor() {
    super('The Idempotency-Key header must be 1 to 255 printable ASCII characters.');
  }
}

export class IdempotencyMismatchError extends UnprocessableError {
  static override readonly code = 'IDEMPOTENCY.MISMATCH';

  constructor() {
    super('This Idempotency-Key was used with a different request; use a new key for a new request.');
  }
}

export class IdempotencyInProgressError extends ConflictError {
  static override readonly code = 'IDEMPOTENCY.IN_PROGRESS';

  constructor() {
    super('A request with this Idempotency-Key is still in progress; retry shortly to get its answer.');
  }
}

/**
 * A client error stored with a key, thrown again (same code, message and details) when the key is replayed. It
 * defines no code of its own: it carries the stored one.
 */
export class ReplayedError extends DomainError {
  constructor(
    kind: ErrorKind,
    code: string,
    message: string,
    details: Record<string, unknown>,
    errors: FieldProblem[],
  ) {
    super(message, details, errors, {}, { code, kind });
  }
}
