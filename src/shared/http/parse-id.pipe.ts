import { ParseUUIDPipe } from '@nestjs/common';
import { InvalidIdError } from './http.errors.js';

/** A path parameter that must be a UUID; anything else is 400 `REQUEST.INVALID_ID`, never a lookup. */
export function parseId(name: string): ParseUUIDPipe {
  return new ParseUUIDPipe({
    exceptionFactory: () => new InvalidIdError(name),
  });
}
