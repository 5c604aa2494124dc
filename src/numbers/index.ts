export { NumbersModule } from './numbers.module.js';
export {
  NumberActivatedEvent,
  NumberProvisioningFailedEvent,
  NumberProvisioningRetriedEvent,
  NumberPurchasedEvent,
  NumberRegisteredWithVapiEvent,
  NumberRequestedEvent,
  type NumberEventPayload,
} from './events/number-events.js';
