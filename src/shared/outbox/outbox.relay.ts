import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { MikroORM, type Transaction } from '@mikro-orm/core';
import { OutboxConfig } from '../../config/index.js';
import type { EventEnvelope, JsonObject } from '../domain/domain-event.js';
import { failpoint } from '../failpoints/failpoints.js';
import { TenantScopeRunner } from '../tenant-scope/tenant-scope.runner.js';
import { inTenantTransaction } from '../tenant-scope/tenant-transaction.js';
import { Clock } from '../time/clock.js';
import type { DeliveryError } from './outbox-delivery.entity.js';
import { OutboxSubscriberRegistry } from './outbox-subscriber.registry.js';
import { OutboxMetrics } from './outbox.metrics.js';

interface ClaimedRow {
  id: string;
  event_id: string;
  subscriber: string;
  attempts: number;
  last_error: DeliveryError | null;
  type: string;
  tenant_id: string;
  occurred_at: Date | string;
  payload: JsonObject;
}

interface Claimed {
  deliveryId: string;
  subscriber: string;
  attempt: number;
  lastError: DeliveryError | null;
  event: EventEnvelope;
}

export function toDeliveryError(error: unknown): DeliveryError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { code: typeof code === 'string' ? code : error.name, message: error.message };
  }
  return { code: 'Error', message: String(error) };
}

/**
 * Delivers outbox events to their subscribers.
 *
 * - Wakes right after a commit that wrote outbox rows, at start (whatever was left pending) and every
 *   `pollIntervalMs`.
 * - Claim, then process: a short statement claims due deliveries (`FOR UPDATE SKIP LOCKED`, so relays on
 *   several instances never claim the same row) by stamping them with this round's token and a
 *   `claimed_until`; the handlers then run with no transaction open; each outcome is written back only if
 *   the claim is still ours. A relay that dies leaves claims that expire and are taken over.
 * - Per subscriber: a failing subscriber is retried (exponential backoff, equal jitter) without the
 *   others running again; after `maxAttempts` the delivery is marked failed, keeps its error, and the
 *   subscriber's `onExhausted` hook runs in that transaction. `Outbox.retry` re-arms it.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('OutboxRelay');
  private loop?: Promise<void>;
  private requested = false;
  private stopped = false;
  private timer?: NodeJS.Timeout;
  /**
   * Runs a function outside whatever async context wakes the relay (the committing transaction's, a
   * request's), so that the relay's queries never join a finished transaction or a request's EntityManager.
   */
  private readonly detached = AsyncLocalStorage.snapshot();

  constructor(
    private readonly orm: MikroORM,
    private readonly subscribers: OutboxSubscriberRegistry,
    private readonly clock: Clock,
    private readonly tenantScope: TenantScopeRunner,
    private readonly metrics: OutboxMetrics,
    private readonly config: OutboxConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.relayEnabled) return;
    this.schedule();
    this.wake();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.loop;
  }

  /** Asks for a round soon, without waiting for it (after a commit, after a retry is re-armed). */
  wake(): void {
    if (!this.config.relayEnabled || this.stopped) return;
    this.detached(() =>
      this.drain().catch((error: unknown) => this.logger.error({ err: error }, 'outbox relay round failed')),
    );
  }

  /**
   * Delivers everything due now and resolves when done; a call during a running round makes it go round
   * again, so what was committed before the call is covered when the promise resolves.
   */
  drain(): Promise<void> {
    this.requested = true;
    this.loop ??= this.runRounds().finally(() => (this.loop = undefined));
    return this.loop;
  }

  private async runRounds(): Promise<void> {
    while (this.requested && !this.stopped) {
      this.requested = false;
      while (!this.stopped && (await this.round()) > 0);
    }
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.wake();
      if (!this.stopped) this.schedule();
    }, this.config.pollIntervalMs);
    this.timer.unref();
  }

  /** One claim and its deliveries; returns how many were claimed. */
  private async round(): Promise<number> {
    const token = randomUUID();
    const claimed = await this.claim(token);
    // A round's deliveries run together; shutting down waits for them (see onModuleDestroy).
    await Promise.all(claimed.map((delivery) => this.deliver(delivery, token)));
    return claimed.length;
  }

  private async claim(token: string): Promise<Claimed[]> {
    const now = this.clock.now();
    const claimedUntil = new Date(now.getTime() + this.config.claimTimeoutMs);
    // Due deliveries of every tenant: through the narrow `outbox_claim_deliveries`, row-level security hiding
    // every tenant's rows from a statement outside a tenant scope.
    const rows: ClaimedRow[] = await this.orm.em
      .getConnection()
      .execute(
        'select * from outbox_claim_deliveries(?, ?, ?, ?)',
        [token, now, claimedUntil, this.config.batchSize],
        'all',
      );
    return rows.map((row) => ({
      deliveryId: row.id,
      subscriber: row.subscriber,
      attempt: row.attempts,
      lastError: row.last_error,
      event: {
        eventId: row.event_id,
        type: row.type,
        tenantId: row.tenant_id,
        occurredAt: new Date(row.occurred_at),
        payload: row.payload,
      },
    }));
  }

  private async deliver(delivery: Claimed, token: string): Promise<void> {
    const { maxAttempts } = this.config;
    if (delivery.attempt > maxAttempts) {
      // The last attempt's claim expired without an outcome (its relay died): that attempt was used up.
      return this.exhaust(delivery, token, {
        code: 'OUTBOX.CLAIM_EXPIRED',
        message: `attempt ${delivery.attempt - 1} did not finish within ${this.config.claimTimeoutMs} ms`,
      });
    }
    const subscriber = this.subscribers.get(delivery.subscriber);
    try {
      if (!subscriber) {
        throw Object.assign(new Error(`no subscriber named "${delivery.subscriber}" runs here`), {
          code: 'OUTBOX.UNKNOWN_SUBSCRIBER',
        });
      }
      await this.tenantScope.run(delivery.event.tenantId, () =>
        subscriber.handler.handle(delivery.event, { attempt: delivery.attempt, maxAttempts }),
      );
      // The handler's work is committed, its delivery not yet: a crash here makes the event come again.
      failpoint('outbox.after-handler');
    } catch (error) {
      const failure = toDeliveryError(error);
      if (delivery.attempt >= maxAttempts) return this.exhaust(delivery, token, failure);
      this.logger.warn(
        {
          err: error,
          subscriber: delivery.subscriber,
          eventId: delivery.event.eventId,
          attempt: delivery.attempt,
        },
        'outbox delivery failed; will retry',
      );
      this.metrics.failures.inc({ subscriber: delivery.subscriber, outcome: 'retry' });
      await this.settle(delivery, token, 'next_attempt_at = ?, last_error = ?', [
        new Date(this.clock.now().getTime() + this.backoffMs(delivery.attempt)),
        JSON.stringify(failure),
      ]);
      return;
    }
    this.metrics.delivered.inc({ subscriber: delivery.subscriber });
    await this.settle(delivery, token, "status = 'delivered', delivered_at = ?", [this.clock.now()]);
  }

  /** Exponential backoff with equal jitter: between half and all of min(max, base * 2^(attempt - 1)). */
  backoffMs(attempt: number): number {
    const ceiling = Math.min(this.config.backoffMaxMs, this.config.backoffBaseMs * 2 ** (attempt - 1));
    return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
  }

  private async exhaust(delivery: Claimed, token: string, failure: DeliveryError): Promise<void> {
    const subscriber = this.subscribers.get(delivery.subscriber);
    this.logger.error(
      {
        subscriber: delivery.subscriber,
        eventId: delivery.event.eventId,
        attempts: delivery.attempt,
        failure,
      },
      'outbox delivery failed for good',
    );
    try {
      await this.tenantScope.run(delivery.event.tenantId, () =>
        this.orm.em.fork().transactional(async (em) => {
          const marked = await this.settle(
            delivery,
            token,
            "status = 'failed', failed_at = ?, last_error = ?",
            [this.clock.now(), JSON.stringify(failure)],
            em.getTransactionContext(),
          );
          if (marked) await subscriber?.handler.onExhausted?.(delivery.event, failure, em);
        }),
      );
      this.metrics.failures.inc({ subscriber: delivery.subscriber, outcome: 'exhausted' });
    } catch (error) {
      // Left claimed: once the claim expires the delivery is claimed again and exhausted again.
      this.logger.error({ err: error, subscriber: delivery.subscriber }, 'outbox exhaustion hook failed');
    }
  }

  /**
   * Writes a delivery's outcome and drops the claim, if the claim is still ours: in `transaction` (the event's
   * tenant's) or in a transaction of the event's tenant of its own.
   */
  private async settle(
    delivery: Claimed,
    token: string,
    assignments: string,
    params: unknown[],
    transaction?: Transaction,
  ): Promise<boolean> {
    const connection = this.orm.em.getConnection();
    const update = (trx: Transaction) =>
      connection.execute(
        `update outbox_delivery
            set ${assignments}, claimed_until = null, claim_token = null, updated_at = ?
          where id = ? and claim_token = ?`,
        [...params, this.clock.now(), delivery.deliveryId, token],
        'run',
        trx,
      );
    const result = await (transaction
      ? update(transaction)
      : inTenantTransaction(connection, delivery.event.tenantId, update));
    const affected = (result as { affectedRows?: number }).affectedRows ?? 0;
    if (affected === 0) {
      this.logger.warn(
        { subscriber: delivery.subscriber, eventId: delivery.event.eventId },
        'outbox claim expired before the outcome was written; the delivery will run again',
      );
    }
    return affected > 0;
  }
}
