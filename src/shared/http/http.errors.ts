import {
  InvalidInputError,
  RateLimitedError,
  UnauthorizedError,
  type FieldProblem,
} from '../errors/domain-error.js';

/** A body or query that does not validate; `errors[]` names each field. */
export class ValidationFailedError extends InvalidInputError {
  static override readonly code = 'VALIDATION.FAILED';

  constructor(errors: FieldProblem[]) {
    super('The request is not valid.', {}, errors);
  }
}

/** A path parameter that must be a UUID. */
export class InvalidIdError extends InvalidInputError {
  static override readonly code = 'REQUEST.INVALID_ID';

  constructor(name: string) {
    super(`The path parameter ${name} must be a UUID.`, {}, [{ field: name, message: 'must be a UUID' }]);
  }
}

/** No valid credentials; every authentication failure looks the same to the caller. */
export class UnauthenticatedError extends UnauthorizedError {
  static override readonly code = 'AUTH.INVALID_TOKEN';

  constructor(message = 'A valid bearer token is required.') {
    super(message);
  }
}

/** Too many requests of some kind; a module's own limit extends it (and so shares its code). */
export class TooManyRequestsError extends RateLimitedError {
  static override readonly code = 'RATE_LIMITED';
}

/**
 * Codes of answers the HTTP layer gives before any of our code runs (Express' body parser, Nest's routing and
 * its HttpExceptions), or when our code fails unexpectedly: each with its one status. The exception filter
 * answers with these; they are listed in the README's error table like every other code.
 */
export const HTTP_LAYER_CODES = {
  malformedBody: { code: 'REQUEST.MALFORMED_BODY', status: 400 },
  aborted: { code: 'REQUEST.ABORTED', status: 400 },
  invalid: { code: 'REQUEST.INVALID', status: 400 },
  invalidToken: { code: UnauthenticatedError.code, status: 401 },
  forbidden: { code: 'AUTH.FORBIDDEN', status: 403 },
  routeNotFound: { code: 'ROUTE.NOT_FOUND', status: 404 },
  methodNotAllowed: { code: 'ROUTE.METHOD_NOT_ALLOWED', status: 405 },
  tooLarge: { code: 'REQUEST.TOO_LARGE', status: 413 },
  unsupportedEncoding: { code: 'REQUEST.UNSUPPORTED_ENCODING', status: 415 },
  unsupportedMediaType: { code: 'REQUEST.UNSUPPORTED_MEDIA_TYPE', status: 415 },
  tooManyRequests: { code: TooManyRequestsError.code, status: 429 },
  internal: { code: 'INTERNAL.ERROR', status: 500 },
  unavailable: { code: 'SERVICE.UNAVAILABLE', status: 503 },
} as const satisfies Record<string, { code: string; status: number }>;
