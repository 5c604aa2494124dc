import { Command } from '@nestjs/cqrs';
import type { IdempotentResponse } from '../../shared/idempotency/index.js';

/**
 * `POST /api/numbers`, "buy a number": records the intent (the number's row, and the event that starts the
 * provisioning flow) and waits a while for the number to go live. Answers 201 when it did, 202 while it is still
 * being provisioned (or failed), or the 4xx of a purchase that Twilio refused.
 */
export class BuyNumberCommand extends Command<IdempotentResponse> {
  constructor(
    readonly tenantId: string,
    readonly request: { projectId: string; agentId: string; areaCode?: string; number?: string },
    readonly idempotencyKey: string | undefined,
    /** `Prefer: respond-async`: answer 202 as soon as the intent is recorded (a client that follows the events). */
    readonly respondAsync = false,
  ) {
    super();
  }
}
