import { UnauthenticatedError } from '../../shared/http/http.errors.js';

/** Every authentication failure looks the same to the caller: what was wrong is not revealed. */
export class InvalidTokenError extends UnauthenticatedError {}
