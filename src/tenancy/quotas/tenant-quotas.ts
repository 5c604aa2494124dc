import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { EntityManager } from '@mikro-orm/postgresql';
import type { TenancyConfig } from '../../config/index.js';
import { NumberQuotaExceededError, PurchaseRateLimitedError } from './quota.errors.js';

/** Any constant, distinct from the migration lock's: namespaces the per-tenant advisory locks. */
const PURCHASE_LOCK_NAMESPACE = 7_205_002;
const WINDOW_SECONDS = 60;

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

/**
 * The per-tenant limits on numbers: at most `TENANT_MAX_NUMBERS` live numbers, and at most
 * `TENANT_PURCHASES_PER_MINUTE` purchases in any 60 seconds (a sliding window over the `tenant_purchase` table, so
 * it holds across instances). Call inside the tenant's scope.
 */
@Injectable()
export class TenantQuotas {
  private readonly limits: TenancyConfig;

  constructor(
    private readonly em: EntityManager,
    @Inject(ConfigService) config: ConfigService,
  ) {
    this.limits = config.getOrThrow<TenancyConfig>('tenancy');
  }

  /**
   * Records one purchase for `tenantId`, or throws `NumberQuotaExceededError` (429 `NUMBERS.QUOTA_EXCEEDED`) or
   * `PurchaseRateLimitedError` (429 `RATE_LIMITED`, with the seconds until the window has room).
   */
  async reservePurchase(tenantId: string, options: ReservePurchaseOptions): Promise<void> {
    await this.em.transactional(async (tx) => {
      await tx.execute('select pg_advisory_xact_lock(?, hashtext(?))', [PURCHASE_LOCK_NAMESPACE, tenantId]);
      if (options.idempotencyKey !== undefined) {
        const replay = await tx.execute(
          'select 1 from tenant_purchase where tenant_id = ? and idempotency_key = ?',
          [tenantId, options.idempotencyKey],
        );
        if (replay.length > 0) return;
      }

      const live = await options.countLiveNumbers();
      if (live >= this.limits.maxNumbers) throw new NumberQuotaExceededError(this.limits.maxNumbers);

      const [window] = await tx.execute<{ started: number; wait: number | null }[]>(
        `select count(*)::int as started,
                extract(epoch from min(created_at) + make_interval(secs => ?) - clock_timestamp())::float8 as wait
           from tenant_purchase
          where tenant_id = ? and created_at > clock_timestamp() - make_interval(secs => ?)`,
        [WINDOW_SECONDS, tenantId, WINDOW_SECONDS],
      );
      if (window.started >= this.limits.purchasesPerMinute) {
        throw new PurchaseRateLimitedError(
          this.limits.purchasesPerMinute,
          Math.max(1, Math.ceil(window.wait ?? 1)),
        );
      }
      await tx.execute(
        'insert into tenant_purchase (id, tenant_id, idempotency_key, created_at) values (?, ?, ?, clock_timestamp())',
        [randomUUID(), tenantId, options.idempotencyKey ?? null],
      );
    });
  }
}
