import { randomUUID } from 'node:crypto';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/**
 * What every domain event carries, whether just raised or read back from the outbox. `type` is a stable,
 * versionable name such as `numbers.number-purchased` (never `constructor.name`, which minifiers and
 * renames change); the payload is plain JSON because it is stored and read back.
 */
export interface EventEnvelope<P extends JsonObject = JsonObject> {
  readonly eventId: string;
  readonly type: string;
  readonly occurredAt: Date;
  readonly tenantId: string;
  readonly payload: P;
  /**
   * When set and later than the moment it is recorded, the event's deliveries are due then and not before: a
   * scheduled delivery (a timer that survives restarts, e.g. the end of a grace period). Not kept in the log: read
   * back, an envelope has none.
   */
  readonly deliverAt?: Date;
}

/**
 * The base of the events a module emits:
 *
 *     export class NumberPurchasedEvent extends DomainEvent<{ numberId: string; e164: string }> {
 *       static readonly TYPE = 'numbers.number-purchased';
 *       readonly type = NumberPurchasedEvent.TYPE;
 *     }
 */
export abstract class DomainEvent<P extends JsonObject = JsonObject> implements EventEnvelope<P> {
  abstract readonly type: string;
  readonly eventId: string;
  readonly occurredAt: Date;
  readonly deliverAt?: Date;

  constructor(
    readonly tenantId: string,
    readonly payload: P,
    options: { eventId?: string; occurredAt?: Date; deliverAt?: Date } = {},
  ) {
    this.eventId = options.eventId ?? randomUUID();
    this.occurredAt = options.occurredAt ?? new Date();
    if (options.deliverAt) this.deliverAt = options.deliverAt;
  }
}
