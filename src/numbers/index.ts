export { NumbersModule } from './numbers.module.js';
export {
  NumberActivatedEvent,
  NumberDegradedEvent,
  NumberImportRequestedEvent,
  NumberProvisioningFailedEvent,
  NumberProvisioningRetriedEvent,
  NumberPurchasedEvent,
  NumberRegisteredWithVapiEvent,
  NumberReleasedEvent,
  NumberRepairedEvent,
  NumberRequestedEvent,
  NumberRestoredEvent,
  isImported,
  kindOf,
  releasesAtTwilio,
  type NumberEventPayload,
  type NumberKind,
} from './events/number-events.js';
export {
  NUMBER_CHANGED_CHANNEL,
  NumberChanges,
  type NumberChange,
  type NumberChangeListener,
} from './number-changes.js';
export { NumberReconciliation } from './reconcile/number-reconciliation.js';
export { formatReport, type ReconciliationReport } from './reconcile/reconciliation-report.js';
