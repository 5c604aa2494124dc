import { randomUUID } from 'node:crypto';
import type { EventEnvelope } from '../domain/domain-event.js';
import { OutboxDelivery } from './outbox-delivery.entity.js';
import { OutboxEvent } from './outbox-event.entity.js';
import type { ClaimedAtWrite } from './outbox.relay.js';

/** The rows that record some events, and which of their deliveries the relay claimed as they were written. */
export interface OutboxWrite {
  rows: object[];
  claims: ClaimedAtWrite[];
  /** Whether a delivery is left for a relay to claim (due now, or later). */
  unclaimed: boolean;
}

/**
 * The rows that record one event: the log entry and a pending delivery per subscriber of its type, due now, or at
 * the event's `deliverAt` when that is later (a scheduled delivery).
 */
export function outboxRows(
  event: EventEnvelope,
  subscribers: readonly string[],
  now: Date,
): [OutboxEvent, ...OutboxDelivery[]] {
  const row = Object.assign(new OutboxEvent(), {
    id: event.eventId,
    type: event.type,
    tenantId: event.tenantId,
    occurredAt: event.occurredAt,
    recordedAt: now,
    payload: event.payload,
  });
  const due = event.deliverAt && event.deliverAt > now ? event.deliverAt : now;
  const deliveries = subscribers.map((subscriber) =>
    Object.assign(new OutboxDelivery(), {
      id: randomUUID(),
      event: row,
      subscriber,
      tenantId: event.tenantId,
      nextAttemptAt: due,
      createdAt: now,
      updatedAt: now,
    }),
  );
  return [row, ...deliveries];
}
