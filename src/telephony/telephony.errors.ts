import {
  ConflictError,
  InvalidInputError,
  NotFoundError,
  ProviderFailureError,
  UnprocessableError,
} from '../shared/errors/index.js';

/** The number was sold since the search, or is not for sale (Twilio 21422). */
export class NumberUnavailableError extends ConflictError {
  constructor(phoneNumber: string | undefined, providerMessage: string) {
    super(
      'NUMBERS.UNAVAILABLE',
      `The number ${phoneNumber ?? ''} is not available for purchase.`.replace('  ', ' '),
      { phoneNumber },
      [],
      { providerMessage },
    );
  }
}

/** Not a valid phone number (Twilio 21421). */
export class InvalidPhoneNumberError extends InvalidInputError {
  constructor(phoneNumber: string | undefined, providerMessage: string) {
    super(
      'NUMBERS.INVALID_NUMBER',
      `${phoneNumber ?? 'The number'} is not a valid phone number.`,
      { phoneNumber },
      [],
      { providerMessage },
    );
  }
}

/** Not a valid North American area code (Twilio 21451). */
export class InvalidAreaCodeError extends InvalidInputError {
  constructor(areaCode: string | undefined, providerMessage: string) {
    super(
      'NUMBERS.INVALID_AREA_CODE',
      `${areaCode ?? 'The area code'} is not a valid area code.`,
      { areaCode },
      [],
      { providerMessage },
    );
  }
}

/** No number left in that area code (Twilio 21452). */
export class NoNumbersAvailableError extends UnprocessableError {
  constructor(areaCode: string | undefined, providerMessage: string) {
    super(
      'NUMBERS.NONE_AVAILABLE',
      `No numbers are available in area code ${areaCode ?? '(any)'}.`,
      { areaCode },
      [],
      { providerMessage },
    );
  }
}

/** The number needs an address on file before it can be bought (Twilio 21631). */
export class AddressRequiredError extends UnprocessableError {
  constructor(phoneNumber: string | undefined, providerMessage: string) {
    super(
      'NUMBERS.ADDRESS_REQUIRED',
      `The number ${phoneNumber ?? ''} requires an address on file.`,
      { phoneNumber },
      [],
      { providerMessage },
    );
  }
}

/** A number SID the account does not own, on an operation that needs one. */
export class OwnedNumberNotFoundError extends NotFoundError {
  constructor(sid: string) {
    super('TELEPHONY.NUMBER_NOT_FOUND', `The Twilio account owns no number ${sid}.`, { sid });
  }
}

/** Codes of the provider failures the adapter raises, with `retryable` telling callers what to do. */
export const TELEPHONY_FAILURE = {
  /** Twilio refused our credentials (20003): configuration, never retried. */
  authentication: 'TELEPHONY.AUTHENTICATION_FAILED',
  /** 429 / 20429: retry after backing off. */
  rateLimited: 'TELEPHONY.RATE_LIMITED',
  /** 5xx from Twilio: retry. */
  providerError: 'TELEPHONY.PROVIDER_ERROR',
  /** Timeout, refused or dropped connection: retry (after checking whether a purchase went through). */
  unreachable: 'TELEPHONY.UNREACHABLE',
  /** Any other 4xx: our request was wrong; not retried. */
  rejected: 'TELEPHONY.REQUEST_REJECTED',
} as const;

/** `diagnostics` (Twilio's status, code and message, the operation) go to the log only, never to the caller. */
export function telephonyFailure(
  code: (typeof TELEPHONY_FAILURE)[keyof typeof TELEPHONY_FAILURE],
  message: string,
  diagnostics: Record<string, unknown>,
): ProviderFailureError {
  const retryable =
    code === 'TELEPHONY.RATE_LIMITED' ||
    code === 'TELEPHONY.PROVIDER_ERROR' ||
    code === 'TELEPHONY.UNREACHABLE';
  return new ProviderFailureError(code, message, retryable, { provider: 'twilio' }, diagnostics);
}
