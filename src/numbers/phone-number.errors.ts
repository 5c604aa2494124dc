import {
  ConflictError,
  InvalidInputError,
  NotFoundError,
  UnprocessableError,
} from '../shared/errors/index.js';

export class PhoneNumberNotFoundError extends NotFoundError {
  constructor(id: string) {
    super('NUMBERS.NOT_FOUND', `No phone number ${id}.`, { numberId: id });
  }
}

export class InvalidAreaCodeError extends InvalidInputError {
  constructor(areaCode: string) {
    super('NUMBERS.INVALID_AREA_CODE', `"${areaCode}" is not a three-digit North American area code.`, {
      areaCode,
    });
  }
}

/** A number for sale in the same state or province, offered when the area code asked for has none. */
export interface NumberSuggestion {
  e164: string;
  friendlyName: string;
  locality: string | null;
  region: string | null;
}

/** Nothing for sale in the area code (or every candidate was sold meanwhile). */
export class NoNumberAvailableError extends ConflictError {
  constructor(areaCode: string | null, suggestions: NumberSuggestion[], numberId?: string) {
    super(
      'NUMBERS.NONE_AVAILABLE',
      `No number is for sale in area code ${areaCode ?? '(any)'}.` +
        (suggestions.length > 0 ? ' Numbers elsewhere in the same state or province are suggested.' : ''),
      { areaCode, suggestions, ...(numberId ? { numberId } : {}) },
    );
  }
}

/** The number asked for is not for sale (sold, owned by someone, or being bought by another request). */
export class RequestedNumberUnavailableError extends ConflictError {
  constructor(e164: string, numberId?: string) {
    super('NUMBERS.UNAVAILABLE', `The number ${e164} is not available for purchase.`, {
      e164,
      ...(numberId ? { numberId } : {}),
    });
  }
}

/**
 * Twilio sells the number asked for only to an account with an address on file (its 21631), and this service keeps
 * none. A search shows such numbers with `addressRequired: true`.
 */
export class RequestedNumberRequiresAddressError extends UnprocessableError {
  constructor(e164: string, numberId?: string) {
    super(
      'NUMBERS.ADDRESS_REQUIRED',
      `The number ${e164} can only be bought with an address on file, which this service does not keep: ` +
        'choose a number whose addressRequired is false.',
      { e164, ...(numberId ? { numberId } : {}) },
    );
  }
}

export class NumberNotFailedError extends ConflictError {
  constructor(id: string, status: string) {
    super('NUMBERS.NOT_RETRIABLE', `Number ${id} is ${status}; only a failed number can be retried.`, {
      numberId: id,
      status,
    });
  }
}
