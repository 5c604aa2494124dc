import { AsyncLocalStorage } from 'node:async_hooks';
import type { EntityManager } from '@mikro-orm/core';

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

  constructor(
    readonly deliveryId: string,
    readonly token: string,
  ) {}

  /** Whether this relay knows it no longer holds the lease (a heartbeat found the row claimed by another). */
  get lost(): boolean {
    return this.isLost;
  }

  markLost(): void {
    this.isLost = true;
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
