import { Query } from '@nestjs/cqrs';
import type { Page } from '../../shared/pagination/keyset-page.js';
import type { PageQueryDto } from '../../shared/pagination/page-query.dto.js';
import type { PhoneNumberResponse } from '../phone-number.response.js';

/** A page of the phone numbers of a project of the current tenant, newest first. */
export class ListNumbersQuery extends Query<Page<PhoneNumberResponse>> {
  constructor(
    readonly projectId: string,
    readonly page: PageQueryDto,
  ) {
    super();
  }
}
