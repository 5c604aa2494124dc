import { Command } from '@nestjs/cqrs';

/**
 * Makes a Vapi number of ours answer with this assistant and this fallback (and our webhook, under the project's
 * name), as `RegisterWithVapi` would have registered it: one PATCH, idempotent. The caller reads it back with
 * `CheckVapiRegistration`.
 */
export class UpdateVapiNumberCommand extends Command<void> {
  constructor(
    readonly vapiNumberId: string,
    readonly wanted: { name: string; assistantId: string; fallbackNumber: string | null },
  ) {
    super();
  }
}
