import type { EntityManager } from '@mikro-orm/postgresql';
import type { EventEnvelope, JsonObject } from '../domain/domain-event.js';
import { currentDeliveryLease } from '../outbox/delivery-lease.js';
import type { OutboxHandler } from '../outbox/outbox-subscriber.js';
import { runInTenant, TENANT_SETTING, type SqlStatement } from '../tenant-scope/tenant-transaction.js';

/**
 * One row a projection writes for an event: `insert into <into> <values> <onConflict>`. It is written only when the
 * event was not applied before (the applied-event insert inserted), in the same statement.
 */
export interface ProjectionWrite {
  /** The table (with an alias when `onConflict` needs one) and its columns: `analytics_call (tenant_id, …)`. */
  into: string;
  /** The columns' values, in order. */
  values: unknown[];
  /** What a row already there does: `on conflict … do …`. */
  onConflict: string;
}

/**
 * A consumer that builds tables of its own from domain events (billing, analytics), with an exactly-once effect
 * under the outbox's at-least-once delivery: the event's id goes into the consumer's applied-event table in the
 * same statement as the writes it causes (`appliedOnce`: a CTE whose writes select nothing when that insert met the
 * id already there), so an event applied before changes nothing. The same statement serves live delivery and
 * replay (`ProjectionReplay`), so a rebuilt table equals the live one.
 *
 * A transaction-scoped advisory lock per (consumer, tenant) serialises a tenant's deliveries to the consumer and
 * a replay of that tenant, so two deliveries never race on the same rows (e.g. the same call reported twice).
 *
 * A delivery is one round trip: its whole transaction (the tenant's setting, the lock, the delivery's settlement,
 * the applied event and its writes, the commit) goes as one text (`runInTenant`).
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

  /** The consumer's writes for one event (none for an event it has nothing to record of). */
  protected abstract writes(event: EventEnvelope): ProjectionWrite[];

  /**
   * The event's delivery, in one round trip: the delivery is settled with the writes it causes (the lease confirmed
   * before them: a delivery another relay has taken over fails the whole transaction, `DeliveryLeaseLostError`), and
   * counts as settled once that transaction has committed. Without a lease (a direct call) nothing is settled.
   */
  async handle(event: EventEnvelope<JsonObject>): Promise<void> {
    const lease = currentDeliveryLease();
    // The consumer's lock for the tenant first: waiting for it (a replay of the tenant holds it) must not hold the
    // delivery's row locked, which the relay's heartbeat renews with every other lease of this instance.
    const statements = [
      this.lockOf(event.tenantId),
      ...(lease ? [lease.settlement()] : []),
      this.appliedOnce(event),
    ];
    // The tenant's scope is the relay's (the event's tenant); the event's tenant when called outside any scope.
    const scoped = this.em.getSessionContext()?.variables?.[TENANT_SETTING];
    const tenantId = typeof scoped === 'string' ? scoped : event.tenantId;
    try {
      await runInTenant(this.em.getConnection(), tenantId, statements);
    } catch (error) {
      throw lease ? lease.failureOf(error) : error;
    }
    lease?.markSettled();
  }

  /** Applies the event in `tx` unless its id was applied before; true when it was applied now. */
  async applyOnce(tx: EntityManager, event: EventEnvelope): Promise<boolean> {
    const { sql, params } = this.appliedOnce(event);
    const [row] = await tx.execute<{ applied: number }[]>(sql, params);
    return row!.applied > 0;
  }

  /** Serialises this consumer's work for one tenant until the transaction ends. */
  async lock(tx: EntityManager, tenantId: string): Promise<void> {
    const { sql, params } = this.lockOf(tenantId);
    await tx.execute(sql, params);
  }

  /** Deletes the tenant's rows of every table of the consumer, applied ids included (row-level security scopes it). */
  async clear(tx: EntityManager, tenantId: string): Promise<void> {
    for (const table of [...this.tables, this.appliedTable]) {
      await tx.execute(`delete from ${table} where tenant_id = ?`, [tenantId]);
    }
  }

  private lockOf(tenantId: string): SqlStatement {
    return { sql: 'select pg_advisory_xact_lock(hashtext(?), hashtext(?))', params: [this.name, tenantId] };
  }

  /**
   * The event's id into the applied-event table and its writes, as one statement answering `applied` (1 when the
   * event was applied now, 0 when it had been before): each write selects its row only when that insert inserted.
   */
  private appliedOnce(event: EventEnvelope): SqlStatement {
    const parts = [
      `applied as (insert into ${this.appliedTable} (consumer, event_id, tenant_id) values (?, ?, ?)
         on conflict (consumer, event_id) do nothing returning 1)`,
    ];
    const params: unknown[] = [this.name, event.eventId, event.tenantId];
    this.writes(event).forEach((write, i) => {
      parts.push(
        `write_${i} as (insert into ${write.into} select ${write.values.map(() => '?').join(', ')}
           where exists (select 1 from applied) ${write.onConflict})`,
      );
      params.push(...write.values);
    });
    return { sql: `with ${parts.join(', ')} select count(*)::int as applied from applied`, params };
  }
}
