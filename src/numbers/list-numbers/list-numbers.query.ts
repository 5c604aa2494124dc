import { Query } from '@nestjs/cqrs';
import type { PhoneNumberResponse } from '../phone-number.response.js';

/** The phone numbers of a project of the current tenant, newest first. */
export class ListNumbersQuery extends Query<PhoneNumberResponse[]> {
  constructor(readonly projectId: string) {
    super();
  }
}
