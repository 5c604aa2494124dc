import { Query } from '@nestjs/cqrs';
import type { VapiPhoneNumber } from '../voice-agent.port.js';

/**
 * Whether Vapi holds the number as `RegisterWithVapi` registered it: under the project's tag, with this assistant,
 * this service's webhook (its URL and secret header) and this fallback (`settingsDrift`). Answers the problems
 * found, none when the number is ready to take calls. Vapi is asked for the
 * number unless the caller read it already (`read`, e.g. from a page of the organization's numbers; `null` when Vapi
 * answered it has none).
 */
export class CheckVapiRegistrationQuery extends Query<string[]> {
  constructor(
    readonly vapiNumberId: string,
    readonly expected: { name: string; assistantId: string; fallbackNumber: string | null },
    readonly read?: VapiPhoneNumber | null,
  ) {
    super();
  }
}
