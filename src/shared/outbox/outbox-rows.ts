import { randomUUID } from 'node:crypto';
import type { EventEnvelope } from '../domain/domain-event.js';
import { OutboxDelivery } from './outbox-delivery.entity.js';
import { OutboxEvent } from './outbox-event.entity.js';

/** The rows that record one event: the log entry and a pending delivery per subscriber of its type. */
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
  const deliveries = subscribers.map((subscriber) =>
    Object.assign(new OutboxDelivery(), {
      id: randomUUID(),
      event: row,
      subscriber,
      tenantId: event.tenantId,
      nextAttemptAt: now,
      createdAt: now,
      updatedAt: now,
    }),
  );
  return [row, ...deliveries];
}
