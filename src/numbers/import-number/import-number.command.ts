import { Command } from '@nestjs/cqrs';
import type { IdempotentResponse } from '../../shared/idempotency/index.js';
import type { ImportNumberDto } from './import-number.dto.js';

/**
 * `POST /api/numbers/import`, "bring your own number": proves the customer owns the number, records the intent (the
 * number's row and the event that starts the import flow) and waits a while for it to go live, like a purchase.
 */
export class ImportNumberCommand extends Command<IdempotentResponse> {
  constructor(
    readonly tenantId: string,
    readonly request: ImportNumberDto,
  ) {
    super();
  }
}
