import { Command } from '@nestjs/cqrs';
import type { PhoneNumberResponse } from '../phone-number.response.js';
import type { ChangeNumberDto } from './change-number.dto.js';

/** Changes what a live number answers with (`PATCH /api/numbers/:id`); the change flow pushes it to Vapi. */
export class ChangeNumberCommand extends Command<PhoneNumberResponse> {
  constructor(
    readonly id: string,
    readonly changes: ChangeNumberDto,
  ) {
    super();
  }
}
