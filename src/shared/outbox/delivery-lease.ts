import { AsyncLocalStorage } from 'node:async_hooks';
import type { EntityManager } from '@mikro-orm/core';
import { withNext } from '../database/app-role-client.js';
import type { SqlStatement } from '../tenant-scope/tenant-transaction.js';

/**
 * What `outbox_settle_delivery` raises when the delivery is no longer the caller's (its migration,
 * `Migration20261204010000OutboxSettleDelivery`, spells it too).
 */
const LEASE_LOST_SQLSTATE = 'OB001';

/**
 * The lease was lost: another relay has claimed the delivery since (this one's heartbeat could not renew it in
 * time), so this handler's outcome must not be written; the delivery is another's now.
 */
export class DeliveryLeaseLostError extends Error {
  readonly code = 'OUTBOX.LEASE_LOST';

  constructor(readonly deliveryId: string) {
    super(`the lease on delivery ${deliveryId} was lost to another relay; its outcome is not written`);
    this.name = 'DeliveryLeaseLostError';
  }
}

/**
 * A relay's hold on one delivery while its handler runs: a claim token on the row, valid until `claimed_until`,
 * which the relay's heartbeat pushes forward (`OUTBOX_LEASE_MS`). Once another relay has claimed the row (the
 * lease ran out: this instance hung or lost the database for a whole lease), this holder's outcome must not be
 * written, so that a long step never runs twice beside itself.
 */
export class DeliveryLease {
  private isLost = false;
  private isSettled = false;

  constructor(
    readonly deliveryId: string,
    readonly token: string,
    /** The delivery's attempt this lease is for (1 for its first). */
    readonly attempt = 1,
    /** The time `settleIn` writes as the delivery's (the relay's clock). */
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Whether a transaction of the handler that marked the delivery delivered (`settleIn`) has committed. */
  get settled(): boolean {
    return this.isSettled;
  }

  /** Whether this relay knows it no longer holds the lease (a heartbeat found the row claimed by another). */
  get lost(): boolean {
    return this.isLost;
  }

  markLost(): void {
    this.isLost = true;
  }

  markSettled(): void {
    this.isSettled = true;
  }

  /**
   * Confirms, inside `em`'s transaction, that the delivery is still this relay's, and locks its row until that
   * transaction ends, so that no other relay can claim it before the outcome commits. Throws
   * `DeliveryLeaseLostError` (rolling the transaction back) when it is not: call it in every transaction that
   * writes a handler's outcome.
   */
  async confirm(em: EntityManager): Promise<void> {
    if (this.lost) throw new DeliveryLeaseLostError(this.deliveryId);
    const rows = await em
      .getConnection()
      .execute<{ id: string }[]>(
        `select id from outbox_delivery where id = ? and claim_token = ? and status = 'pending' for update`,
        [this.deliveryId, this.token],
        'all',
        em.getTransactionContext(),
      );
    if (rows.length === 0) {
      this.markLost();
      throw new DeliveryLeaseLostError(this.deliveryId);
    }
  }

  /**
   * Marks the delivery delivered inside `em`'s transaction, for the handler's last one: its outcome and its
   * delivery then commit together, and the relay writes nothing after it (three round trips fewer than a settlement
   * of its own). Confirms the lease as `confirm` does (the row stays locked until the transaction ends). It counts
   * once that transaction commits; after a rollback the delivery is as it was, still the relay's to settle.
   *
   * The statement goes with the transaction's next one (`withNext`: one round trip fewer), so a lease found lost
   * fails the transaction at that next statement or at its commit, with SQLSTATE `OB001`: the relay, seeing it come
   * out of the handler, marks the lease lost (`failureOf`), and nothing of the transaction commits.
   */
  async settleIn(em: EntityManager): Promise<void> {
    const { sql, params } = this.settlement();
    await em
      .getConnection()
      .execute(withNext(sql), params, 'all', em.getTransactionContext())
      .catch((error: unknown) => {
        throw this.failureOf(error);
      });
    settling.set(em, this);
  }

  /**
   * The statement that settles the delivery, for a transaction sent as one text: it marks the delivery delivered,
   * and fails the transaction when the delivery is no longer ours (`failureOf` tells). Whoever runs it calls
   * `markSettled()` once that transaction has committed. Throws `DeliveryLeaseLostError` when the lease is known lost.
   */
  settlement(): SqlStatement {
    if (this.lost) throw new DeliveryLeaseLostError(this.deliveryId);
    return {
      sql: 'select outbox_settle_delivery(?, ?, ?)',
      params: [this.deliveryId, this.token, this.now()],
    };
  }

  /**
   * A failure of a transaction that ran `settlement()`: `DeliveryLeaseLostError` (the lease marked lost) when the
   * settlement found the delivery no longer ours, else the failure itself.
   */
  failureOf(error: unknown): unknown {
    if ((error as { code?: unknown } | null)?.code !== LEASE_LOST_SQLSTATE) return error;
    this.markLost();
    return new DeliveryLeaseLostError(this.deliveryId);
  }
}

/** The leases settled by a transaction not yet ended, by the transaction's EntityManager. */
const settling = new WeakMap<EntityManager, DeliveryLease>();

/** A transaction ended (its outermost commit or rollback): a lease it settled counts only if it committed. */
export function transactionEnded(em: EntityManager, committed: boolean): void {
  const lease = settling.get(em);
  if (!lease) return;
  settling.delete(em);
  if (committed) lease.markSettled();
}

const current = new AsyncLocalStorage<DeliveryLease>();

/** Runs a handler holding `lease`: `currentDeliveryLease()` answers it anywhere below. */
export function withDeliveryLease<T>(lease: DeliveryLease, work: () => Promise<T>): Promise<T> {
  return current.run(lease, work);
}

/** The lease of the outbox delivery being handled, or undefined outside the relay (a direct call, a test). */
export function currentDeliveryLease(): DeliveryLease | undefined {
  return current.getStore();
}
