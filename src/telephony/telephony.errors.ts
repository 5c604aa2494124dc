import {
  ConflictError,
  InvalidInputError,
  NotFoundError,
  ProviderFailures,
  UnprocessableError,
} from '../shared/errors/index.js';

/**
 * Twilio's refusals, in telephony's own codes. The numbers module turns those it meets into its answers
 * (`NUMBERS.*`), so a caller of the numbers API sees these only where the README's table says so.
 */

/** The number was sold since the search, or is not for sale (Twilio 21422). */
export class NumberUnavailableError extends ConflictError {
  static override readonly code = 'TELEPHONY.NUMBER_UNAVAILABLE';

  constructor(phoneNumber: string | undefined, providerMessage: string) {
    super(
      `The number ${phoneNumber ?? ''} is not available for purchase.`.replace('  ', ' '),
      { phoneNumber },
      [],
      { providerMessage },
    );
  }
}

/** Not a valid phone number (Twilio 21421). */
export class InvalidPhoneNumberError extends InvalidInputError {
  static override readonly code = 'TELEPHONY.INVALID_NUMBER';

  constructor(phoneNumber: string | undefined, providerMessage: string) {
    super(`${phoneNumber ?? 'The number'} is not a valid phone number.`, { phoneNumber }, [], {
      providerMessage,
    });
  }
}

/** Not an area code Twilio knows (Twilio 21451). */
export class InvalidAreaCodeError extends InvalidInputError {
  static override readonly code = 'TELEPHONY.INVALID_AREA_CODE';

  constructor(areaCode: string | undefined, providerMessage: string) {
    super(`${areaCode ?? 'The area code'} is not a valid area code.`, { areaCode }, [], { providerMessage });
  }
}

/** No number left in that area code, on a purchase by area code (Twilio 21452). */
export class NoNumbersAvailableError extends UnprocessableError {
  static override readonly code = 'TELEPHONY.NONE_AVAILABLE';

  constructor(areaCode: string | undefined, providerMessage: string) {
    super(`No numbers are available in area code ${areaCode ?? '(any)'}.`, { areaCode }, [], {
      providerMessage,
    });
  }
}

/** The number needs an address on file before it can be bought (Twilio 21631). */
export class AddressRequiredError extends UnprocessableError {
  static override readonly code = 'TELEPHONY.ADDRESS_REQUIRED';

  constructor(phoneNumber: string | undefined, providerMessage: string) {
    super(`The number ${phoneNumber ?? ''} requires an address on file.`, { phoneNumber }, [], {
      providerMessage,
    });
  }
}

/** A number SID the account does not own, on an operation that needs one. */
export class OwnedNumberNotFoundError extends NotFoundError {
  static override readonly code = 'TELEPHONY.NUMBER_NOT_FOUND';

  constructor(sid: string) {
    super(`The Twilio account owns no number ${sid}.`, { sid });
  }
}

/** The Twilio adapter's failures: `TELEPHONY.AUTHENTICATION_FAILED`, `.RATE_LIMITED`, and so on. */
export const TWILIO_FAILURES = new ProviderFailures('TELEPHONY', 'Twilio');

/** Whether Twilio refused the request's credentials (20003): ours, or a customer's given for their own account. */
export function isTwilioAuthenticationFailure(error: unknown): boolean {
  return TWILIO_FAILURES.isOf(error, 'authentication');
}
