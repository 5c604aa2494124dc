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

  constructor(
    readonly tenantId: string,
    readonly payload: P,
    options: { eventId?: string; occurredAt?: Date } = {},
  ) {
    this.eventId = options.eventId ?? randomUUID();
    this.occurredAt = options.occurredAt ?? new Date();
  }
}
