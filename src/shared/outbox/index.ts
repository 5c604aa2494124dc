export { currentDeliveryLease, DeliveryLease, DeliveryLeaseLostError } from './delivery-lease.js';
export type { DeliveryError, DeliveryStatus } from './outbox-delivery.entity.js';
export {
  ALL_EVENTS,
  OutboxSubscriber,
  type DeliveryContext,
  type OutboxHandler,
  type OutboxSubscriberDefinition,
  type OutboxSubscriberOptions,
} from './outbox-subscriber.js';
export { OutboxSubscriberRegistry } from './outbox-subscriber.registry.js';
export type { OutboxConcern, OutboxReport } from './outbox-report.js';
export { OutboxModule } from './outbox.module.js';
export { OUTBOX_DUE_CHANNEL, OutboxRelay } from './outbox.relay.js';
export type { OutboxBacklog, SubscriberBacklog } from './outbox.metrics.js';
export { Outbox, type DeliveryView } from './outbox.service.js';
