import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { MikroORM, type EntityManager, type EventSubscriber, type FlushEventArgs } from '@mikro-orm/core';
import type { TransactionEventArgs } from '@mikro-orm/core';
import { DatabaseNotifications } from '../shared/database/database-notifications.js';
import { PhoneNumber, type NumberStatus } from './phone-number.entity.js';

/**
 * The PostgreSQL channel of number changes: a trigger on `phone_number` notifies it at the commit of every insert
 * or update (migration `NumberChangedNotifications`), with a `NumberChange` as JSON.
 */
export const NUMBER_CHANGED_CHANNEL = 'number_changed';

/** A number's row changed (its status, a step's state, …) in a committed transaction. */
export interface NumberChange {
  tenantId: string;
  numberId: string;
  status: NumberStatus;
  /**
   * The number as committed, when this process committed the change (its commit hook); absent from the database's
   * `NOTIFY`. The entity of the committing unit of work: read it during the call, never keep it (its owner may
   * change it after), never change it.
   */
  number?: Readonly<PhoneNumber>;
}

/**
 * What a `NumberChanges` listener receives: a change, or `null` when changes may have been missed (the listening
 * connection was lost): then re-read whatever is watched.
 */
export type NumberChangeListener = (change: NumberChange | null) => void;

/**
 * Wakes whoever watches numbers when one changes, on every instance: the click's answer (`NumberSettlements`), a
 * stream of a number's steps. A change from the database is a hint to read the number again, never its state; one
 * this process committed carries the number as committed (`number`). A change may come twice (from this process's
 * commit hook and from the database's `NOTIFY`), and only committed changes are announced.
 *
 * - In this process: at the commit of a MikroORM transaction that wrote a `PhoneNumber` (a commit hook, no round
 *   trip), with the entity it committed; on the embedded database this is the only way (it does not pass
 *   notifications between connections).
 * - From any instance: `LISTEN number_changed` through `DatabaseNotifications` (one connection per process).
 *
 * Listeners are called synchronously and must not throw; they filter by `tenantId`/`numberId` themselves.
 */
@Injectable()
export class NumberChanges implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('NumberChanges');
  private readonly listeners = new Set<NumberChangeListener>();
  private unlisten?: () => void;

  constructor(
    private readonly orm: MikroORM,
    private readonly notifications: DatabaseNotifications,
  ) {}

  onApplicationBootstrap(): void {
    // Listening from the start, so that the first waiter does not race the LISTEN.
    this.unlisten = this.notifications.listen(NUMBER_CHANGED_CHANNEL, (payload) => {
      const change = payload === null ? null : this.parse(payload);
      // After the rest of this turn's input: this process's own commit, whose answer often arrives with its NOTIFY,
      // is then announced first, with the number it committed, and a waiter it settles reads nothing.
      setImmediate(() => this.dispatch(change));
    });
    this.orm.em.getEventManager().registerSubscriber(
      new PhoneNumberCommitHook((changes) => {
        for (const change of changes) this.dispatch(change);
      }),
    );
  }

  onModuleDestroy(): void {
    this.unlisten?.();
  }

  /** Calls `listener` for every change of every number until the returned function is called. */
  subscribe(listener: NumberChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private dispatch(change: NumberChange | null | undefined): void {
    if (change === undefined) return;
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (error) {
        // Never into the committing code (a commit hook) or the listening connection.
        this.logger.error({ err: error }, 'number change listener failed');
      }
    }
  }

  private parse(payload: string): NumberChange | undefined {
    try {
      const change = JSON.parse(payload) as NumberChange;
      if (typeof change.numberId === 'string' && typeof change.tenantId === 'string') return change;
    } catch {
      // reported below
    }
    this.logger.warn({ payload }, `ignored a malformed ${NUMBER_CHANGED_CHANNEL} notification`);
    return undefined;
  }
}

/**
 * Collects the numbers a flush writes; announces them, with the entities, once their transaction commits (not a
 * savepoint's).
 */
class PhoneNumberCommitHook implements EventSubscriber {
  private readonly pending = new WeakMap<EntityManager, NumberChange[]>();

  constructor(private readonly announce: (changes: NumberChange[]) => void) {}

  // On flush, not after it: a flush outside a transaction commits its own before `afterFlush`.
  onFlush({ em, uow }: FlushEventArgs): void {
    const changes = uow
      .getChangeSets()
      .filter((changeSet) => !String(changeSet.type).startsWith('delete'))
      .map((changeSet) => changeSet.entity)
      .filter((entity): entity is PhoneNumber => entity instanceof PhoneNumber)
      // The status as flushed; the entity, as it stands at the commit (after the transaction's last flush).
      .map((number) => ({ tenantId: number.tenantId, numberId: number.id, status: number.status, number }));
    if (changes.length > 0) this.pending.set(em, [...(this.pending.get(em) ?? []), ...changes]);
  }

  afterTransactionCommit({ em, transaction }: TransactionEventArgs): void {
    if (transaction?.savepointName) return;
    const changes = this.pending.get(em);
    this.pending.delete(em);
    if (changes) this.announce(changes);
  }

  afterTransactionRollback({ em, transaction }: TransactionEventArgs): void {
    if (!transaction?.savepointName) this.pending.delete(em);
  }
}
