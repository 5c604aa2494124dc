import type { EntityManager, EventSubscriber, FlushEventArgs, TransactionEventArgs } from '@mikro-orm/core';
import { withNext } from '../database/app-role-client.js';
import { AggregateRoot } from '../domain/aggregate-root.js';
import type { EventEnvelope } from '../domain/domain-event.js';
import { transactionEnded } from './delivery-lease.js';
import { outboxInsert, type OutboxWrite } from './outbox-rows.js';
import type { ClaimedAtWrite } from './outbox.relay.js';

/** What the relay does once a transaction that wrote outbox rows has ended. */
export interface OutboxCommitted {
  /** Runs the deliveries claimed at write (`OutboxRelay.claimAtWrite`). */
  startClaimed(claims: readonly ClaimedAtWrite[]): void;
  releaseClaimed(claims: readonly ClaimedAtWrite[]): void;
  /** Claims the deliveries due that no relay holds yet. */
  wake(): void;
}

/**
 * Hooks the outbox into MikroORM's unit of work:
 * - on flush, the events recorded by the aggregates being flushed become outbox rows in the same
 *   transaction (so a handler only changes its aggregate and flushes): in a transaction, written at once as one
 *   statement (`outboxInsert`); a flush outside any gives them to the unit of work, whose transaction it is;
 * - at the end of a transaction that settled a handler's delivery (`DeliveryLease.settleIn`), the lease learns
 *   whether it committed;
 * - after the commit of a transaction that wrote outbox rows, the deliveries the relay claimed as they were written
 *   start, and the relay is woken for the others, so events leave at once instead of at the next poll. (Rows written
 *   inside a nested transaction are claimed by no one at write and wake the relay by the database's notification.)
 */
export class OutboxFlushSubscriber implements EventSubscriber {
  private readonly written = new WeakMap<EntityManager, { claims: ClaimedAtWrite[]; wake: boolean }>();

  constructor(
    private readonly toRows: (events: readonly EventEnvelope[], claimAtWrite: boolean) => OutboxWrite,
    private readonly relay: OutboxCommitted,
  ) {}

  /** The rows of `events`, written by `em`'s transaction: their deliveries start or wake the relay at its commit. */
  rowsFor(em: EntityManager, events: readonly EventEnvelope[]): object[] {
    if (events.length === 0) return [];
    const transaction = em.getTransactionContext<object>();
    // A savepoint's commit is not the transaction's: what it writes is claimed by no one until then.
    const write = this.toRows(events, !(transaction && 'savepointName' in transaction));
    const pending = this.written.get(em) ?? { claims: [], wake: false };
    pending.claims.push(...write.claims);
    pending.wake ||= write.unclaimed;
    this.written.set(em, pending);
    return write.rows;
  }

  async onFlush({ em, uow }: FlushEventArgs): Promise<void> {
    const aggregates = new Set<AggregateRoot>();
    for (const entity of [...uow.getIdentityMap().values(), ...uow.getPersistStack()]) {
      if (entity instanceof AggregateRoot && entity.hasPendingEvents()) aggregates.add(entity);
    }
    const events = [...aggregates].flatMap((aggregate) => aggregate.pullEvents());
    const rows = this.rowsFor(em, events);
    if (rows.length === 0) return;
    const transaction = em.getTransactionContext();
    if (transaction) {
      // Inside the flush's transaction: the rows go as one statement (the unit of work would send one per table),
      // in the same round trip as the flush's next statement or the commit (nothing reads its answer).
      const [sql, params] = outboxInsert(rows);
      await em.getConnection().execute(withNext(sql), params, 'run', transaction);
      return;
    }
    for (const row of rows) uow.computeChangeSet(row);
  }

  afterTransactionCommit({ em, transaction }: TransactionEventArgs): void {
    if (transaction?.savepointName) return;
    transactionEnded(em, true);
    const pending = this.written.get(em);
    if (!pending) return;
    this.written.delete(em);
    if (pending.claims.length > 0) this.relay.startClaimed(pending.claims);
    if (pending.wake) this.relay.wake();
  }

  afterTransactionRollback({ em, transaction }: TransactionEventArgs): void {
    if (transaction?.savepointName) return;
    transactionEnded(em, false);
    const pending = this.written.get(em);
    this.written.delete(em);
    if (pending) this.relay.releaseClaimed(pending.claims);
  }
}
