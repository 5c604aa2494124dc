import { Command } from '@nestjs/cqrs';

/**
 * Makes Vapi hold the number no more: deletes the Vapi number with this id, or, when the id is not known (a
 * registration whose outcome was never recorded), the one Vapi holds for this E.164 number (one filtered request).
 * Idempotent: a number Vapi no longer has is no error. Answers the Vapi ids deleted.
 */
export class DetachFromVapiCommand extends Command<{ deleted: string[] }> {
  constructor(readonly number: { vapiNumberId: string | null; e164: string | null }) {
    super();
  }
}
