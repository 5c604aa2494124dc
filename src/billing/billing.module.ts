import { Module } from '@nestjs/common';
import { TenancyModule } from '../tenancy/index.js';
import { BillingProjection } from './billing.projection.js';
import { GetUsageHandler } from './get-usage/get-usage.handler.js';
import { UsageController } from './usage.controller.js';

/** Cost pass-through: what each project's numbers and calls cost, built only from domain events. */
@Module({
  imports: [TenancyModule],
  controllers: [UsageController],
  providers: [BillingProjection, GetUsageHandler],
})
export class BillingModule {}
