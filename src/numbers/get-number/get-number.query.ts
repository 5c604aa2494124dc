import { Query } from '@nestjs/cqrs';
import type { PhoneNumberResponse } from '../phone-number.response.js';

/** A phone number of the current tenant, with its provisioning steps; `NUMBERS.NOT_FOUND` (404) otherwise. */
export class GetNumberQuery extends Query<PhoneNumberResponse> {
  constructor(readonly id: string) {
    super();
  }
}
