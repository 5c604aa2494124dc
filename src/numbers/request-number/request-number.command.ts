import { Command } from '@nestjs/cqrs';
import type { IdempotentResponse } from '../../shared/idempotency/index.js';

/**
 * "Purchase Number": records the intent (the number's row, and the event that starts the flow) and waits a while
 * for the number to go live. Answers 201 when it did, 202 while it is still being provisioned, or the 409 of a
 * purchase that Twilio refused.
 */
export class RequestNumberCommand extends Command<IdempotentResponse> {
  constructor(
    readonly tenantId: string,
    readonly request: { projectId: string; agentId: string; areaCode?: string; number?: string },
    readonly idempotencyKey: string | undefined,
  ) {
    super();
  }
}
