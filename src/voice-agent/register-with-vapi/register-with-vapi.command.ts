import { Command } from '@nestjs/cqrs';
import type { VapiNumberConnection } from '../voice-agent.port.js';

export interface VapiRegistrationRequest {
  /** E.164. */
  e164: string;
  /** At most 40 characters; it ties the Vapi number to its project. */
  name: string;
  /** The Vapi assistant the number answers with. */
  assistantId: string;
  /** The customer's own phone, where calls go when the assistant cannot take them. */
  fallbackNumber: string | null;
  /**
   * Whether an earlier attempt may have registered it already (its outcome is unknown): only then is Vapi asked
   * first, and the number it has updated rather than created again.
   */
  mayExist: boolean;
  /** A customer's number: how Vapi reaches it (their Twilio account, or their SIP credential); else ours. */
  connection?: VapiNumberConnection;
}

/**
 * Makes Vapi hold the number with the assistant, this service's webhook (with its secret) and the fallback.
 * Idempotent when told that an earlier attempt may have registered it (`mayExist`): the number is then looked up
 * in Vapi first and updated if it is there. Answers the Vapi number's id.
 */
export class RegisterWithVapiCommand extends Command<{ vapiNumberId: string }> {
  constructor(readonly request: VapiRegistrationRequest) {
    super();
  }
}
