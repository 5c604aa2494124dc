import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
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

/** Where a sliding window counts: the purchase log, or one action's rows in the rate-event log. */
type WindowSource = { table: 'tenant_purchase' } | { table: 'tenant_rate_event'; action: RateLimitedAction };

export interface ReservePurchaseOptions {
  /**
   * The purchase request's idempotency key. A replay (a key already recorded) is let through and not counted.
   */
  idempotencyKey?: string;
  /**
   * Counts the tenant's live numbers. Called inside the reservation's transaction, under the tenant's lock, so two
   * purchases at once cannot both take the last place: query through the injected EntityManager and it joins.
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
   * `PurchaseRateLimitedError` (429 `RATE_LIMITED`, with the seconds until the window has room).
   */
  async reservePurchase(tenantId: string, options: ReservePurchaseOptions): Promise<PurchaseReservation> {
    return this.em.transactional(async (tx): Promise<PurchaseReservation> => {
      await this.lockNumbers(tx, tenantId);
      if (options.idempotencyKey !== undefined) {
        const replay = await tx.execute(
          'select 1 from tenant_purchase where tenant_id = ? and idempotency_key = ?',
          [tenantId, options.idempotencyKey],
        );
        if (replay.length > 0) return { reserved: true };
      }

      const room = await this.roomForOneMore(options.countLiveNumbers);
      if (!room.reserved) return room;

      await this.takeFromWindow(
        tx,
        tenantId,
        { table: 'tenant_purchase' },
        'number purchases',
        this.limits.purchasesPerMinute,
      );
      await tx.execute(
        'insert into tenant_purchase (id, tenant_id, idempotency_key, created_at) values (?, ?, ?, clock_timestamp())',
        [randomUUID(), tenantId, options.idempotencyKey ?? null],
      );
      return { reserved: true };
    });
  }

  /**
   * Whether `tenantId` has room for one more live number that comes back rather than being bought (a restore): the
   * same count under the same per-tenant lock as `reservePurchase`, so a restore and a purchase (or two restores) at
   * once cannot both take the last place. Not a purchase: nothing is recorded against the purchase rate. Call inside
   * the transaction that makes the number live again; the lock is held until that transaction ends.
   */
  async reserveReturn(
    tenantId: string,
    options: Pick<ReservePurchaseOptions, 'countLiveNumbers'>,
  ): Promise<PurchaseReservation> {
    return this.em.transactional(async (tx): Promise<PurchaseReservation> => {
      await this.lockNumbers(tx, tenantId);
      return this.roomForOneMore(options.countLiveNumbers);
    });
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
      await this.takeFromWindow(
        tx,
        tenantId,
        { table: 'tenant_rate_event', action },
        what,
        limit(this.limits),
      );
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

  /** Throws `TenantRateLimitedError` when the last 60 seconds of `source` already hold `limit` rows. */
  private async takeFromWindow(
    tx: EntityManager,
    tenantId: string,
    source: WindowSource,
    what: string,
    limit: number,
  ): Promise<void> {
    const byAction = source.table === 'tenant_rate_event' ? 'and action = ?' : '';
    const [window] = await tx.execute<{ started: number; wait: number | null }[]>(
      `select count(*)::int as started,
              extract(epoch from min(created_at) + make_interval(secs => ?) - clock_timestamp())::float8 as wait
         from ${source.table}
        where tenant_id = ? ${byAction} and created_at > clock_timestamp() - make_interval(secs => ?)`,
      [
        WINDOW_SECONDS,
        tenantId,
        ...(source.table === 'tenant_rate_event' ? [source.action] : []),
        WINDOW_SECONDS,
      ],
    );
    if (window.started >= limit) {
      throw new TenantRateLimitedError(what, limit, Math.max(1, Math.ceil(window.wait ?? 1)));
    }
  }
}
