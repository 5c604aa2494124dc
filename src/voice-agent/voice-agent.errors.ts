import { NotFoundError, ProviderFailures } from '../shared/errors/index.js';

/** A Vapi phone-number id that Vapi does not have, on an operation that needs one. */
export class VapiPhoneNumberNotFoundError extends NotFoundError {
  static override readonly code = 'VOICE_AGENT.PHONE_NUMBER_NOT_FOUND';

  constructor(id: string) {
    super(`Vapi has no phone number ${id}.`, { id });
  }
}

/** The Vapi adapter's failures: `VOICE_AGENT.AUTHENTICATION_FAILED`, `.RATE_LIMITED`, and so on. */
export const VAPI_FAILURES = new ProviderFailures('VOICE_AGENT', 'Vapi', false);
