import { ParseUUIDPipe } from '@nestjs/common';
import { InvalidInputError } from '../errors/domain-error.js';

/** A path parameter that must be a UUID; anything else is 400 `REQUEST.INVALID_ID`, never a lookup. */
export function parseId(name: string): ParseUUIDPipe {
  return new ParseUUIDPipe({
    exceptionFactory: () =>
      new InvalidInputError('REQUEST.INVALID_ID', `The path parameter ${name} must be a UUID.`, {}, [
        { field: name, message: 'must be a UUID' },
      ]),
  });
}
