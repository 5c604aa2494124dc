import { Injectable, SetMetadata, type Type } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/core';
import type { EventEnvelope, JsonObject } from '../domain/domain-event.js';
import type { DeliveryError } from './outbox-delivery.entity.js';

export interface DeliveryContext {
  /** 1 on the first attempt. */
  attempt: number;
  maxAttempts: number;
}

/**
 * A reaction to domain events, run by the outbox relay inside the event's tenant scope.
 *
 * Delivery is AT LEAST ONCE: a handler may see the same event again (a crash after it ran but before the
 * delivery was recorded, a claim that expired while it ran). Handlers must be idempotent: key their
 * effects on `event.eventId` or on the state they move (e.g. "only if the step is still pending").
 * A handler that throws is retried with backoff; it should not hold a database transaction open across
 * a provider call.
 */
export interface OutboxHandler<P extends JsonObject = JsonObject> {
  handle(event: EventEnvelope<P>, context: DeliveryContext): Promise<void>;
  /**
   * Called once when a delivery runs out of attempts, inside the transaction that marks it failed (use `em`
   * to record what follows, e.g. a step marked failed and its event). A throw rolls both back; the relay
   * tries again later.
   */
  onExhausted?(event: EventEnvelope<P>, error: DeliveryError, em: EntityManager): Promise<void>;
}

export interface OutboxSubscriberOptions {
  /** Stable name: deliveries are tracked by it, so renaming it orphans pending deliveries. */
  name: string;
  /** The event `type`s it receives; `[ALL_EVENTS]` for every type (e.g. a publisher to a message broker). */
  events: readonly string[];
}

export interface OutboxSubscriberDefinition extends OutboxSubscriberOptions {
  handler: OutboxHandler;
}

export const OUTBOX_SUBSCRIBER = Symbol('outbox:subscriber');

/** In a subscriber's `events`: every event type, present and future. */
export const ALL_EVENTS = '*';

/**
 * Declares a provider as an outbox subscriber; it is discovered at start-up:
 *
 *     @OutboxSubscriber({ name: 'numbers.provisioning', events: [NumberPurchasedEvent.TYPE] })
 *     export class NumberProvisioningProcessManager implements OutboxHandler { ... }
 */
export function OutboxSubscriber(options: OutboxSubscriberOptions): ClassDecorator {
  return (target) => {
    SetMetadata(OUTBOX_SUBSCRIBER, options)(target);
    Injectable()(target);
  };
}

export function subscriberOptionsOf(
  type: Type | object | null | undefined,
): OutboxSubscriberOptions | undefined {
  return type
    ? (Reflect.getMetadata(OUTBOX_SUBSCRIBER, type) as OutboxSubscriberOptions | undefined)
    : undefined;
}
