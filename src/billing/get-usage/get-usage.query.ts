import { Query } from '@nestjs/cqrs';
import type { Month } from '../usage-rules.js';
import type { UsageResponse } from './usage.response.js';

/** A month's usage of the current tenant: one project's, or (projectId null) the whole tenant's. */
export class GetUsageQuery extends Query<UsageResponse> {
  constructor(
    readonly tenantId: string,
    readonly month: Month,
    readonly projectId: string | null,
  ) {
    super();
  }
}
