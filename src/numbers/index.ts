export { NumbersModule } from './numbers.module.js';
export {
  NumberActivatedEvent,
  NumberImportRequestedEvent,
  NumberProvisioningFailedEvent,
  NumberProvisioningRetriedEvent,
  NumberPurchasedEvent,
  NumberRegisteredWithVapiEvent,
  NumberReleasedEvent,
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
