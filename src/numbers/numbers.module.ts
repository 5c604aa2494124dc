import { Module } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { TelephonyModule } from '../telephony/index.js';
import { TenancyModule } from '../tenancy/index.js';
import { VoiceAgentModule } from '../voice-agent/index.js';
import { BuyNumberHandler } from './buy-number/buy-number.handler.js';
import { GetNumberHandler } from './get-number/get-number.handler.js';
import { ListNumbersHandler } from './list-numbers/list-numbers.handler.js';
import { NumberDirectoryModule } from './number-directory.js';
import { NumbersController } from './numbers.controller.js';
import { PhoneNumber } from './phone-number.entity.js';
import { ActivateStep } from './provisioning/activate.step.js';
import { NumberProvisioningProcessManager } from './provisioning/number-provisioning.process-manager.js';
import { ProvisioningMetrics } from './provisioning/provisioning.metrics.js';
import { ProvisioningSteps } from './provisioning/provisioning-steps.js';
import { PurchaseStep } from './provisioning/purchase.step.js';
import { RegisterStep } from './provisioning/register.step.js';
import { RetryProvisioningHandler } from './retry-number/retry-provisioning.handler.js';
import { NumberCatalog } from './search-numbers/number-catalog.js';
import { SearchNumbersHandler } from './search-numbers/search-numbers.handler.js';

@Module({
  imports: [
    MikroOrmModule.forFeature([PhoneNumber]),
    TenancyModule,
    TelephonyModule,
    VoiceAgentModule,
    NumberDirectoryModule,
  ],
  controllers: [NumbersController],
  providers: [
    NumberCatalog,
    ProvisioningMetrics,
    ProvisioningSteps,
    NumberProvisioningProcessManager,
    SearchNumbersHandler,
    PurchaseStep,
    RegisterStep,
    ActivateStep,
    BuyNumberHandler,
    GetNumberHandler,
    ListNumbersHandler,
    RetryProvisioningHandler,
  ],
})
export class NumbersModule {}
