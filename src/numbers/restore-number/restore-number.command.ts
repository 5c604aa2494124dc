import { Command } from '@nestjs/cqrs';
import type { PhoneNumberResponse } from '../phone-number.response.js';

/** Brings a released number back within its grace period (`POST /api/numbers/:id/restore`). */
export class RestoreNumberCommand extends Command<PhoneNumberResponse> {
  constructor(readonly id: string) {
    super();
  }
}
