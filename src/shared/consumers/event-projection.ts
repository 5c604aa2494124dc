import type { EntityManager } from '@mikro-orm/postgresql';
import type { EventEnvelope, JsonObject } from '../domain/domain-event.js';
import { currentDeliveryLease } from '../outbox/delivery-lease.js';
import type { OutboxHandler } from '../outbox/outbox-subscriber.js';

/**
 * A consumer that builds tables of its own from domain events (billing, analytics), with an exactly-once effect
 * under the outbox's at-least-once delivery: the event's id goes into the consumer's applied-event table in the
 * same transaction as the writes it causes, and an event whose id is already there is skipped. The same
 * `apply` serves live delivery and replay (`ProjectionReplay`), so a rebuilt table equals the live one.
 *
 * A transaction-scoped advisory lock per (consumer, tenant) serialises a tenant's deliveries to the consumer and
 * a replay of that tenant, so two deliveries never race on the same rows (e.g. the same call reported twice).
 *
 * Subclasses are declared with `@OutboxSubscriber({ name, events })`, the name being the consumer's (and what
 * `npm run replay -- <name>` takes).
 */
export abstract class EventProjection implements OutboxHandler {
  /** The consumer's name: the outbox subscriber's name and the `consumer` column of the applied-event table. */
  abstract readonly name: string;
  /** The event types it applies (the same list as its `@OutboxSubscriber`'s). */
  abstract readonly events: readonly string[];
  /** Its applied-event table, `(consumer, event_id)` primary key, with `tenant_id`. */
  abstract readonly appliedTable: string;
  /** The tables it fills (each with `tenant_id`); a replay empties the tenant's rows of each. */
  abstract readonly tables: readonly string[];

  protected constructor(protected readonly em: EntityManager) {}

  /** The consumer's writes for one event, inside the transaction `tx` (in the event's tenant scope). */
  protected abstract apply(tx: EntityManager, event: EventEnvelope): Promise<void>;

  async handle(event: EventEnvelope<JsonObject>): Promise<void> {
    await this.em.transactional(async (tx) => {
      // The delivery is settled with the writes it causes (and its lease confirmed before them).
      await currentDeliveryLease()?.settleIn(tx);
      await this.lock(tx, event.tenantId);
      await this.applyOnce(tx, event);
    });
  }

  /** Applies the event unless its id was applied before; true when it was applied now. */
  async applyOnce(tx: EntityManager, event: EventEnvelope): Promise<boolean> {
    const inserted = await tx.execute<{ event_id: string }[]>(
      `insert into ${this.appliedTable} (consumer, event_id, tenant_id) values (?, ?, ?)
         on conflict (consumer, event_id) do nothing
       returning event_id`,
      [this.name, event.eventId, event.tenantId],
    );
    if (inserted.length === 0) return false;
    await this.apply(tx, event);
    return true;
  }

  /** Serialises this consumer's work for one tenant until the transaction ends. */
  async lock(tx: EntityManager, tenantId: string): Promise<void> {
    await tx.execute('select pg_advisory_xact_lock(hashtext(?), hashtext(?))', [this.name, tenantId]);
  }

  /** Deletes the tenant's rows of every table of the consumer, applied ids included (row-level security scopes it). */
  async clear(tx: EntityManager, tenantId: string): Promise<void> {
    for (const table of [...this.tables, this.appliedTable]) {
      await tx.execute(`delete from ${table} where tenant_id = ?`, [tenantId]);
    }
  }
}
