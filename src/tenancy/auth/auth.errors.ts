import { UnauthorizedError } from '../../shared/errors/index.js';

/** Every authentication failure looks the same to the caller: what was wrong is not revealed. */
export class InvalidTokenError extends UnauthorizedError {
  constructor() {
    super('AUTH.INVALID_TOKEN', 'A valid bearer token is required.');
  }
}
