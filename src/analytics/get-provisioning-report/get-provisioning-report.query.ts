import { Query } from '@nestjs/cqrs';
import type { ProvisioningReportResponse } from './provisioning-report.response.js';

/** The current tenant's provisioning funnel and calls for the UTC days `[from, to]` (`to` included). */
export class GetProvisioningReportQuery extends Query<ProvisioningReportResponse> {
  constructor(
    readonly tenantId: string,
    /** First instant of the first day. */
    readonly from: Date,
    /** First instant after the last day. */
    readonly until: Date,
  ) {
    super();
  }
}
