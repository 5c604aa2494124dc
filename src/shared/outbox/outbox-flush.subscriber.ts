import type { EntityManager, EventSubscriber, FlushEventArgs, TransactionEventArgs } from '@mikro-orm/core';
import { AggregateRoot } from '../domain/aggregate-root.js';
import type { EventEnvelope } from '../domain/domain-event.js';
import { OutboxEvent } from './outbox-event.entity.js';

/**
 * Hooks the outbox into MikroORM's unit of work:
 * - on flush, the events recorded by the aggregates being flushed become outbox rows in the same
 *   transaction (so a handler only changes its aggregate and flushes);
 * - after the commit of a transaction that wrote outbox rows, the relay is woken, so events leave at once
 *   instead of at the next poll. (Rows written inside a nested transaction wake at the poll instead.)
 */
export class OutboxFlushSubscriber implements EventSubscriber {
  private readonly wroteOutbox = new WeakSet<EntityManager>();

  constructor(
    private readonly toRows: (events: readonly EventEnvelope[]) => object[],
    private readonly onCommitted: () => void,
  ) {}

  async onFlush({ em, uow }: FlushEventArgs): Promise<void> {
    const aggregates = new Set<AggregateRoot>();
    for (const entity of [...uow.getIdentityMap().values(), ...uow.getPersistStack()]) {
      if (entity instanceof AggregateRoot && entity.hasPendingEvents()) aggregates.add(entity);
    }
    const events = [...aggregates].flatMap((aggregate) => aggregate.pullEvents());
    for (const row of this.toRows(events)) uow.computeChangeSet(row);
    if (uow.getChangeSets().some((changeSet) => changeSet.entity instanceof OutboxEvent)) {
      this.wroteOutbox.add(em);
    }
  }

  afterTransactionCommit({ em, transaction }: TransactionEventArgs): void {
    if (transaction?.savepointName || !this.wroteOutbox.has(em)) return;
    this.wroteOutbox.delete(em);
    this.onCommitted();
  }

  afterTransactionRollback({ em, transaction }: TransactionEventArgs): void {
    if (!transaction?.savepointName) this.wroteOutbox.delete(em);
  }
}
