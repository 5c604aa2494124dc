import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { TransactionPropagation } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { TenancyConfig } from '../../config/index.js';
import { TenantRateLimitedError } from './quota.errors.js';

/** Any constants, distinct from the migration lock's: namespace the per-tenant advisory locks. */
const PURCHASE_LOCK_NAMESPACE = 7_205_002;
const ACTION_LOCK_NAMESPACE = 7_205_003;
const WINDOW_SECONDS = 60;

/** Calls that cost the platform a provider call each, limited per tenant and minute. */
export type RateLimitedAction = 'numbers.search' | 'agents.create';

const ACTIONS: Record<RateLimitedAction, { what: string; limit: (limits: TenancyConfig) => number }> = {
  'numbers.search': { what: 'number searches', limit: (l) => l.searchesPerMinute },
  'agents.create': { what: 'agent creations', limit: (l) => l.agentCreationsPerMinute },
};

export interface ReservePurchaseOptions {
  /**
   * The purchase request's idempotency key. A replay (a key already recorded) is let through and not counted.
   */
  idempotencyKey?: string;
  /**
   * A query counting the tenant's live numbers (one row, one integer column), the tenant's id as its `$1`: run in the
   * reservation's statement under the tenant's lock, so two purchases at once cannot both take the last place.
   */
  liveNumbersQuery: string;
}

export interface ReserveReturnOptions {
  /**
   * Counts the tenant's live numbers. Called inside the caller's transaction, under the tenant's lock: query through
   * the injected EntityManager and it joins.
   */
  countLiveNumbers: () => Promise<number>;
}

/** Reserved, or refused because the tenant holds `maxNumbers` live numbers already (the caller says so its way). */
export type PurchaseReservation = { reserved: true } | { reserved: false; maxNumbers: number };

/**
 * The per-tenant limits: at most `TENANT_MAX_NUMBERS` live numbers, at most `TENANT_PURCHASES_PER_MINUTE` purchases
 * in any 60 seconds, and as many searches (`TENANT_SEARCHES_PER_MINUTE`) and agent creations
 * (`TENANT_AGENT_CREATIONS_PER_MINUTE`), each a provider call at the platform's cost. Each is a sliding window over
 * rows in the database (`tenant_purchase`, `tenant_rate_event`), counted under a per-tenant advisory lock, so it
 * holds across instances. Call inside the tenant's scope.
 */
@Injectable()
export class TenantQuotas {
  constructor(
    private readonly em: EntityManager,
    private readonly limits: TenancyConfig,
  ) {}

  /**
   * Records one purchase for `tenantId`; answers that the tenant is at its number limit, or throws
   * `TenantRateLimitedError` (429 `RATE_LIMITED`, with the seconds until the window has room). Joins the caller's
   * transaction (no savepoint), where the tenant's lock is held until it ends, so that the purchase it records
   * (the caller's number) is counted by the next one; outside any, it runs in one of its own. One statement: the
   * lock, the counts and the row (`reserve_purchase`, migration `PurchaseReservationInOneStatement`).
   */
  async reservePurchase(tenantId: string, options: ReservePurchaseOptions): Promise<PurchaseReservation> {
    const [{ outcome, retry_after: retryAfter }] = await this.em.transactional(
      (tx) =>
        tx.execute<
          { outcome: 'reserved' | 'replayed' | 'at-limit' | 'rate-limited'; retry_after: number | null }[]
        >('select * from reserve_purchase(?, ?, ?, ?, ?, ?, ?)', [
          PURCHASE_LOCK_NAMESPACE,
          tenantId,
          options.idempotencyKey ?? null,
          options.liveNumbersQuery,
          this.limits.maxNumbers,
          this.limits.purchasesPerMinute,
          WINDOW_SECONDS,
        ]),
      { propagation: TransactionPropagation.REQUIRED },
    );
    if (outcome === 'at-limit') return { reserved: false, maxNumbers: this.limits.maxNumbers };
    if (outcome === 'rate-limited') {
      const limit = this.limits.purchasesPerMinute;
      throw new TenantRateLimitedError('number purchases', limit, Math.max(1, Math.ceil(retryAfter ?? 1)));
    }
    return { reserved: true };
  }

  /**
   * Whether `tenantId` has room for one more live number that comes back rather than being bought (a restore): the
   * same count under the same per-tenant lock as `reservePurchase`, so a restore and a purchase (or two restores) at
   * once cannot both take the last place. Not a purchase: nothing is recorded against the purchase rate. Call inside
   * the transaction that makes the number live again; the lock is held until that transaction ends.
   */
  async reserveReturn(tenantId: string, options: ReserveReturnOptions): Promise<PurchaseReservation> {
    return this.em.transactional(
      async (tx): Promise<PurchaseReservation> => {
        await this.lockNumbers(tx, tenantId);
        return this.roomForOneMore(options.countLiveNumbers);
      },
      { propagation: TransactionPropagation.REQUIRED },
    );
  }

  /**
   * Records one `action` for `tenantId`, or throws `TenantRateLimitedError` (429 `RATE_LIMITED`, with the seconds
   * until the window has room). Call before the provider call it stands for, after the input was validated.
   */
  async consume(tenantId: string, action: RateLimitedAction): Promise<void> {
    const { what, limit } = ACTIONS[action];
    await this.em.transactional(async (tx) => {
      await tx.execute('select pg_advisory_xact_lock(?, hashtext(?))', [
        ACTION_LOCK_NAMESPACE,
        `${tenantId}:${action}`,
      ]);
      await tx.execute(
        `delete from tenant_rate_event
          where tenant_id = ? and action = ? and created_at <= clock_timestamp() - make_interval(secs => ?)`,
        [tenantId, action, WINDOW_SECONDS],
      );
      await this.takeFromWindow(tx, tenantId, action, what, limit(this.limits));
      await tx.execute(
        'insert into tenant_rate_event (id, tenant_id, action, created_at) values (?, ?, ?, clock_timestamp())',
        [randomUUID(), tenantId, action],
      );
    });
  }

  /** The tenant's lock over its live numbers, held until the transaction ends (commit or rollback). */
  private async lockNumbers(tx: EntityManager, tenantId: string): Promise<void> {
    await tx.execute('select pg_advisory_xact_lock(?, hashtext(?))', [PURCHASE_LOCK_NAMESPACE, tenantId]);
  }

  /** Whether the tenant's live numbers leave room for one more under `TENANT_MAX_NUMBERS` (call under the lock). */
  private async roomForOneMore(countLiveNumbers: () => Promise<number>): Promise<PurchaseReservation> {
    const live = await countLiveNumbers();
    return live >= this.limits.maxNumbers
      ? { reserved: false, maxNumbers: this.limits.maxNumbers }
      : { reserved: true };
  }

  /** Throws `TenantRateLimitedError` when the last 60 seconds of `action`'s rate events already hold `limit` rows. */
  private async takeFromWindow(
    tx: EntityManager,
    tenantId: string,
    action: RateLimitedAction,
    what: string,
    limit: number,
  ): Promise<void> {
    const [window] = await tx.execute<{ started: number; wait: number | null }[]>(
      `select count(*)::int as started,
              extract(epoch from min(created_at) + make_interval(secs => ?) - clock_timestamp())::float8 as wait
         from tenant_rate_event
        where tenant_id = ? and action = ? and created_at > clock_timestamp() - make_interval(secs => ?)`,
      [WINDOW_SECONDS, tenantId, action, WINDOW_SECONDS],
    );
    if (window.started >= limit) {
      throw new TenantRateLimitedError(what, limit, Math.max(1, Math.ceil(window.wait ?? 1)));
    }
  }
}
