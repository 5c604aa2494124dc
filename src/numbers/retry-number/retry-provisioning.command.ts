import { Command } from '@nestjs/cqrs';
import type { PhoneNumberResponse } from '../phone-number.response.js';

/** Runs the failed step of a number's provisioning again. */
export class RetryProvisioningCommand extends Command<PhoneNumberResponse> {
  constructor(readonly id: string) {
    super();
  }
}
