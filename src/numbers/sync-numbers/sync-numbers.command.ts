import { Command } from '@nestjs/cqrs';
import type { SyncNumbersResponse } from './sync-numbers.response.js';

/**
 * `POST /api/numbers/sync`: links to the project the Vapi numbers that carry its tag and no project holds, and
 * repairs the project's own numbers in Vapi; answers what it did.
 */
export class SyncNumbersCommand extends Command<SyncNumbersResponse> {
  constructor(
    readonly tenantId: string,
    readonly projectId: string,
  ) {
    super();
  }
}
