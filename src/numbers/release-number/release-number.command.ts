import { Command } from '@nestjs/cqrs';
import type { PhoneNumberResponse } from '../phone-number.response.js';

/** Releases a number of the tenant's (`DELETE /api/numbers/:id`); the release flow does the rest. */
export class ReleaseNumberCommand extends Command<PhoneNumberResponse> {
  constructor(readonly id: string) {
    super();
  }
}
