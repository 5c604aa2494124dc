import { Query } from '@nestjs/cqrs';

/**
 * Whether Vapi holds the number as `RegisterWithVapi` registered it: with this assistant, this service's webhook
 * and this fallback. Answers the problems found, none when the number is ready to take calls.
 */
export class CheckVapiRegistrationQuery extends Query<string[]> {
  constructor(
    readonly vapiNumberId: string,
    readonly expected: { assistantId: string; fallbackNumber: string | null },
  ) {
    super();
  }
}
