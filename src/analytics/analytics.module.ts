import { Module } from '@nestjs/common';
import { TenancyModule } from '../tenancy/index.js';
import { AnalyticsController } from './analytics.controller.js';
import { AnalyticsProjection } from './analytics.projection.js';
import { GetProvisioningReportHandler } from './get-provisioning-report/get-provisioning-report.handler.js';

/** The provisioning funnel and call counts, built only from domain events. */
@Module({
  imports: [TenancyModule],
  controllers: [AnalyticsController],
  providers: [AnalyticsProjection, GetProvisioningReportHandler],
})
export class AnalyticsModule {}
