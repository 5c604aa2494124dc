import {
  ConflictError,
  InvalidInputError,
  NotFoundError,
  ProviderFailureError,
  RateLimitedError,
  UnprocessableError,
  type DomainError,
} from '../shared/errors/index.js';
import type { NumberSuggestion, PurchaseRefusal } from './phone-number.entity.js';

export type { NumberSuggestion } from './phone-number.entity.js';

export class PhoneNumberNotFoundError extends NotFoundError {
  static override readonly code = 'NUMBERS.NOT_FOUND';

  constructor(id: string) {
    super(`No phone number ${id}.`, { numberId: id });
  }
}

export class InvalidAreaCodeError extends InvalidInputError {
  static override readonly code = 'NUMBERS.INVALID_AREA_CODE';

  constructor(areaCode: string, why = 'is not a three-digit North American area code') {
    super(`"${areaCode}" ${why}.`, { areaCode });
  }
}

/** A number asked for by name that Twilio says is not a phone number. */
export class InvalidPhoneNumberError extends InvalidInputError {
  static override readonly code = 'NUMBERS.INVALID_NUMBER';
  static override readonly recordedOnly = true;

  constructor(e164: string) {
    super(`${e164} is not a valid phone number.`, { e164 });
  }
}

/** Nothing for sale in the area code (or every candidate was sold meanwhile). */
export class NoNumberAvailableError extends ConflictError {
  static override readonly code = 'NUMBERS.NONE_AVAILABLE';

  constructor(areaCode: string | null, suggestions: NumberSuggestion[], numberId?: string) {
    super(
      `No number is for sale in area code ${areaCode ?? '(any)'}.` +
        (suggestions.length > 0 ? ' Numbers elsewhere in the same state or province are suggested.' : ''),
      { areaCode, suggestions, ...(numberId ? { numberId } : {}) },
    );
  }
}

/** The number asked for is not for sale (sold, owned by someone, or being bought by another request). */
export class RequestedNumberUnavailableError extends ConflictError {
  static override readonly code = 'NUMBERS.UNAVAILABLE';

  constructor(e164: string, numberId?: string) {
    super(`The number ${e164} is not available for purchase.`, { e164, ...(numberId ? { numberId } : {}) });
  }
}

/**
 * Twilio sells the number asked for only to an account with an address on file (its 21631), and this service keeps
 * none. A search shows such numbers with `addressRequired: true`.
 */
export class RequestedNumberRequiresAddressError extends UnprocessableError {
  static override readonly code = 'NUMBERS.ADDRESS_REQUIRED';

  constructor(e164: string, numberId?: string) {
    super(
      `The number ${e164} can only be bought with an address on file, which this service does not keep: ` +
        'choose a number whose addressRequired is false.',
      { e164, ...(numberId ? { numberId } : {}) },
    );
  }
}

export class NumberNotFailedError extends ConflictError {
  static override readonly code = 'NUMBERS.NOT_RETRIABLE';

  constructor(id: string, status: string) {
    super(`Number ${id} is ${status}; only a failed number can be retried.`, { numberId: id, status });
  }
}

/** The tenant holds `TENANT_MAX_NUMBERS` live numbers already. */
export class NumberQuotaExceededError extends RateLimitedError {
  static override readonly code = 'NUMBERS.QUOTA_EXCEEDED';

  constructor(limit: number) {
    super(`The tenant already holds ${limit} live numbers, its limit; release one first.`, 60, { limit });
  }
}

/**
 * Twilio or Vapi does not (yet) hold the number as provisioned. Retried, since a provider may take a moment to
 * show a change; when the attempts run out the number fails with this code instead of being reported live.
 */
export class NumberNotReadyError extends ProviderFailureError {
  static override readonly code = 'NUMBERS.NOT_READY';
  static override readonly recordedOnly = true;

  constructor(problems: string[]) {
    super(`The number would not reach its agent: ${problems.join('; ')}.`, true, { problems });
  }
}

/** A provider answered with a number that another of our numbers holds: no retry can change that. */
export class NumberConflictError extends ConflictError {
  static override readonly code = 'NUMBERS.CONFLICT';
  static override readonly recordedOnly = true;

  constructor() {
    super('The provider answered with a number that another of our numbers already holds.');
  }
}

/** The answer a refused purchase gives, the same on the first request and on every replay of it. */
export function refusalError(refusal: PurchaseRefusal, numberId: string): DomainError {
  switch (refusal.kind) {
    case 'none-available':
      return new NoNumberAvailableError(refusal.areaCode, refusal.suggestions, numberId);
    case 'number-unavailable':
      return new RequestedNumberUnavailableError(refusal.e164, numberId);
    case 'address-required':
      return new RequestedNumberRequiresAddressError(refusal.e164, numberId);
  }
}

/** `PATCH /api/numbers/:id` on a number that is not live: only a live number changes agent. */
export class NumberNotActiveError extends ConflictError {
  static override readonly code = 'NUMBERS.NOT_ACTIVE';

  constructor(id: string, status: string) {
    super(`Number ${id} is ${status}; only an active number can change agent.`, { numberId: id, status });
  }
}

/** `DELETE /api/numbers/:id` on a refused purchase: it holds nothing to release. */
export class NumberNotReleasableError extends ConflictError {
  static override readonly code = 'NUMBERS.NOT_RELEASABLE';

  constructor(id: string, status: string) {
    super(`Number ${id} is ${status}: it holds nothing to release.`, { numberId: id, status });
  }
}

/**
 * `POST /api/numbers/:id/restore` on a number that is not released, or whose grace period is over (Twilio has
 * released it, or is releasing it: a release at Twilio cannot be undone).
 */
export class NumberNotRestorableError extends ConflictError {
  static override readonly code = 'NUMBERS.NOT_RESTORABLE';

  constructor(id: string, status: string, why: string) {
    super(`Number ${id} cannot be restored: ${why}.`, { numberId: id, status });
  }
}

/** The customer's Twilio account (by the credentials given) does not own the number to import. */
export class NumberNotOwnedError extends UnprocessableError {
  static override readonly code = 'NUMBERS.NOT_OWNED';

  constructor(e164: string) {
    super(
      `The Twilio account given does not own ${e164}: import it with the credentials of the account that has it.`,
      { e164 },
    );
  }
}

/** Twilio refused the customer's account SID and auth token (20003). */
export class TwilioCredentialsRejectedError extends UnprocessableError {
  static override readonly code = 'NUMBERS.TWILIO_CREDENTIALS_REJECTED';

  constructor() {
    super(
      'Twilio refused the account SID and auth token given: check them in the Twilio console (Account Info).',
      {},
      [{ field: 'twilioAuthToken', message: 'Twilio refused these credentials' }],
    );
  }
}

/** The Vapi credential a SIP number would come through is not a `byo-sip-trunk` credential of ours. */
export class SipCredentialNotFoundError extends UnprocessableError {
  static override readonly code = 'NUMBERS.SIP_CREDENTIAL_NOT_FOUND';

  constructor(credentialId: string) {
    super(`Vapi has no byo-sip-trunk credential ${credentialId}.`, { credentialId }, [
      { field: 'credentialId', message: 'no byo-sip-trunk credential with this id in Vapi' },
    ]);
  }
}

/** The number to import already belongs to a project: another tenant's, or another project of this one. */
export class NumberAlreadyHeldError extends ConflictError {
  static override readonly code = 'NUMBERS.ALREADY_HELD';

  constructor(e164: string) {
    super(`${e164} already belongs to a project; release it there first.`, { e164 });
  }
}

/** An import's sealed credentials cannot be opened (the key changed since): import the number again. */
export class ImportCredentialsLostError extends UnprocessableError {
  static override readonly code = 'NUMBERS.IMPORT_CREDENTIALS_LOST';
  static override readonly recordedOnly = true;

  constructor() {
    super(
      "The customer's Twilio credentials for this import can no longer be read (VAPI_WEBHOOK_SECRET changed " +
        'since); import the number again.',
    );
  }
}
