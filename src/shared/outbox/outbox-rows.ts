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

const EVENT_COLUMNS = 'id, type, tenant_id, occurred_at, recorded_at, payload';
const DELIVERY_COLUMNS =
  'id, event_id, subscriber, tenant_id, status, attempts, next_attempt_at, claimed_until, claim_token, created_at, updated_at';
const iso = (at: Date | null | undefined) => (at ? at.toISOString() : null);

/**
 * One statement writing `outboxRows`' rows (of one event or several): the events, and their deliveries in a
 * data-modifying `with` (https://www.postgresql.org/docs/current/queries-with.html#QUERIES-WITH-MODIFYING), whose
 * foreign key to the events is checked at the statement's end, when both are written. `?` placeholders, for
 * `Connection.execute`. One round trip instead of one per table.
 */
export function outboxInsert(rows: readonly object[]): [sql: string, params: unknown[]] {
  const events = rows.filter((row): row is OutboxEvent => row instanceof OutboxEvent);
  const deliveries = rows.filter((row): row is OutboxDelivery => row instanceof OutboxDelivery);
  const params: unknown[] = [];
  for (const e of events) {
    params.push(e.id, e.type, e.tenantId, iso(e.occurredAt), iso(e.recordedAt), JSON.stringify(e.payload));
  }
  const insertEvents = `insert into outbox_event (${EVENT_COLUMNS}) values ${events
    .map(() => '(?, ?, ?, ?, ?, ?::jsonb)')
    .join(', ')}`;
  if (deliveries.length === 0) return [insertEvents, params];
  for (const d of deliveries) {
    params.push(
      d.id,
      d.event.id,
      d.subscriber,
      d.tenantId,
      d.status,
      d.attempts,
      iso(d.nextAttemptAt),
      iso(d.claimedUntil),
      d.claimToken ?? null,
      iso(d.createdAt),
      iso(d.updatedAt),
    );
  }
  const insertDeliveries = `insert into outbox_delivery (${DELIVERY_COLUMNS}) values ${deliveries
    .map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
    .join(', ')}`;
  return [`with written_events as (${insertEvents}) ${insertDeliveries}`, params];
}
