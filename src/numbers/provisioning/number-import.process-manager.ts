import type { EntityManager } from '@mikro-orm/core';
import type { EventEnvelope } from '../../shared/domain/domain-event.js';
import { OutboxSubscriber, type DeliveryError, type OutboxHandler } from '../../shared/outbox/index.js';
import { NumberImportRequestedEvent, type NumberEventPayload } from '../events/number-events.js';
import { NumberProvisioningProcessManager } from './number-provisioning.process-manager.js';

/**
 * The import flow, whole: a number the customer already has (`POST /api/numbers/import`, `import-number/`) made to
 * answer with the agent, exactly like a purchased one but never bought. Its steps:
 *
 *     (request)  0. prove   the customer's Twilio account owns the number (one Twilio call with their credentials),
 *                          or Vapi has their byo-sip-trunk credential; refuse a number any project holds
 *                          ──► the number's row, `registering`, purchase `skipped`, and NumberImportRequested
 *     NumberImportRequested    ──► 1. register (Vapi: create with the customer's connection) ──► NumberRegisteredWithVapi
 *     NumberRegisteredWithVapi ──► 2. activate (the provisioning's: read back Vapi and, for a Twilio number, the
 *                                    customer's account)                                      ──► NumberActivated
 *
 * Both steps are the provisioning flow's own (`NumberProvisioningProcessManager.register` and `.activate`, with
 * `register.step.ts` and `activate.step.ts`), which read the number's `kind`: the same three-part attempts, retries,
 * crash recovery and `POST /api/numbers/:id/retry` (NumberProvisioningRetried). What differs is only where the flow
 * starts and how Vapi reaches the number:
 *
 * - `imported-twilio`: Vapi imports it with the customer's account SID and auth token. The token is sealed in the
 *   number's row for the two steps that need it (`customer-token-seal.ts`) and wiped when the number is activated;
 *   from then on it lives only in Vapi. Activation reads the number back from the customer's account (its voice URL
 *   must be Vapi's).
 * - `imported-sip`: a `byo-phone-number` on the customer's `byo-sip-trunk` credential; activation reads Vapi only.
 *
 * Refusals happen in the request, before anything is written or sent to Vapi (422 `NUMBERS.NOT_OWNED`,
 * `NUMBERS.TWILIO_CREDENTIALS_REJECTED`, `NUMBERS.SIP_CREDENTIAL_NOT_FOUND`; 409 `NUMBERS.ALREADY_HELD`), so a refused
 * import leaves nothing behind in Vapi. The answer is the click's (`NumberOutcome`): 201 once active, else 202.
 */
@OutboxSubscriber({ name: 'numbers.import', events: [NumberImportRequestedEvent.TYPE] })
export class NumberImportProcessManager implements OutboxHandler<NumberEventPayload> {
  constructor(private readonly provisioning: NumberProvisioningProcessManager) {}

  /** 1. Register the number with Vapi, with the customer's connection; then the provisioning activates it. */
  handle(event: EventEnvelope<NumberEventPayload>): Promise<void> {
    return this.provisioning.register(event.payload.numberId);
  }

  /** The registration ran out of attempts: the number fails with its last error, as a purchase's would. */
  onExhausted(
    event: EventEnvelope<NumberEventPayload>,
    error: DeliveryError,
    em: EntityManager,
  ): Promise<void> {
    return this.provisioning.onExhausted(event, error, em);
  }
}
