import { Command } from '@nestjs/cqrs';

export interface VapiRegistrationRequest {
  /** E.164. */
  e164: string;
  /** At most 40 characters; it ties the Vapi number to its project. */
  name: string;
  /** The Vapi assistant the number answers with. */
  assistantId: string;
  /** The customer's own phone, where calls go when the assistant cannot take them. */
  fallbackNumber: string | null;
}

/**
 * Makes Vapi hold the number with the assistant, this service's webhook (with its secret) and the fallback.
 * Idempotent: the number is looked up in Vapi first and updated if it is there. Answers the Vapi number's id.
 */
export class RegisterWithVapiCommand extends Command<{ vapiNumberId: string }> {
  constructor(readonly request: VapiRegistrationRequest) {
    super();
  }
}
