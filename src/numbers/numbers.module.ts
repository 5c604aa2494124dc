import { Module } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { TelephonyModule } from '../telephony/index.js';
import { TenancyModule } from '../tenancy/index.js';
import { VoiceAgentModule } from '../voice-agent/index.js';
import { BuyNumberHandler } from './buy-number/buy-number.handler.js';
import { ChangeNumberHandler } from './change-number/change-number.handler.js';
import { NumberChangeProcessManager } from './change-number/number-change.process-manager.js';
import { UpdateNumbersOnProjectFallbackChangedHandler } from './change-number/update-numbers-on-project-fallback-changed.event-handler.js';
import { UpdateStep } from './change-number/update.step.js';
import { GetNumberHandler } from './get-number/get-number.handler.js';
import { CustomerTokenSeal } from './import-number/customer-token-seal.js';
import { ImportNumberHandler } from './import-number/import-number.handler.js';
import { NumberOutcome } from './number-outcome.js';
import { SyncNumbersHandler } from './sync-numbers/sync-numbers.handler.js';
import { ListNumbersHandler } from './list-numbers/list-numbers.handler.js';
import { NumberChanges } from './number-changes.js';
import { NumberDirectoryModule } from './number-directory.js';
import { NumberSettlements } from './number-settlements.js';
import { NumbersController } from './numbers.controller.js';
import { PhoneNumber } from './phone-number.entity.js';
import { ActivateStep } from './provisioning/activate.step.js';
import { NumberImportProcessManager } from './provisioning/number-import.process-manager.js';
import { NumberProvisioningProcessManager } from './provisioning/number-provisioning.process-manager.js';
import { ProvisioningMetrics } from './provisioning/provisioning.metrics.js';
import { ProvisioningSteps } from './provisioning/provisioning-steps.js';
import { StepHandOffs } from './provisioning/step-hand-offs.js';
import { PurchaseStep } from './provisioning/purchase.step.js';
import { RegisterStep } from './provisioning/register.step.js';
import { DetachStep } from './release-number/detach.step.js';
import { NumberReleaseProcessManager } from './release-number/number-release.process-manager.js';
import { ReleaseNumberHandler } from './release-number/release-number.handler.js';
import { ReleaseStep } from './release-number/release.step.js';
import { RestoreNumberHandler } from './restore-number/restore-number.handler.js';
import { NumberReconciliation } from './reconcile/number-reconciliation.js';
import { ReconciliationLease } from './reconcile/reconciliation-lease.js';
import { ReconciliationMetrics } from './reconcile/reconciliation.metrics.js';
import { ReconciliationScheduler } from './reconcile/reconciliation.scheduler.js';
import { RetryProvisioningHandler } from './retry-number/retry-provisioning.handler.js';
import { NumberCatalog } from './search-numbers/number-catalog.js';
import { SearchNumbersHandler } from './search-numbers/search-numbers.handler.js';
import { WatchNumberController } from './watch-number/watch-number.controller.js';

@Module({
  imports: [
    MikroOrmModule.forFeature([PhoneNumber]),
    TenancyModule,
    TelephonyModule,
    VoiceAgentModule,
    NumberDirectoryModule,
  ],
  controllers: [NumbersController, WatchNumberController],
  providers: [
    NumberChanges,
    NumberSettlements,
    NumberCatalog,
    ProvisioningMetrics,
    ProvisioningSteps,
    StepHandOffs,
    NumberProvisioningProcessManager,
    NumberImportProcessManager,
    NumberOutcome,
    CustomerTokenSeal,
    ImportNumberHandler,
    SyncNumbersHandler,
    SearchNumbersHandler,
    PurchaseStep,
    RegisterStep,
    ActivateStep,
    BuyNumberHandler,
    GetNumberHandler,
    ListNumbersHandler,
    RetryProvisioningHandler,
    UpdateStep,
    NumberChangeProcessManager,
    ChangeNumberHandler,
    UpdateNumbersOnProjectFallbackChangedHandler,
    DetachStep,
    ReleaseStep,
    NumberReleaseProcessManager,
    ReleaseNumberHandler,
    RestoreNumberHandler,
    ReconciliationLease,
    ReconciliationMetrics,
    NumberReconciliation,
    ReconciliationScheduler,
  ],
  exports: [NumberChanges],
})
export class NumbersModule {}
