import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { MikroORM, type Transaction } from '@mikro-orm/core';
import { OutboxConfig } from '../../config/index.js';
import type { EventEnvelope, JsonObject } from '../domain/domain-event.js';
import { DatabaseNotifications } from '../database/database-notifications.js';
import { failpoint } from '../failpoints/failpoints.js';
import { TenantScopeRunner } from '../tenant-scope/tenant-scope.runner.js';
import { inTenantTransaction } from '../tenant-scope/tenant-transaction.js';
import { Clock } from '../time/clock.js';
import { DeliveryLease, DeliveryLeaseLostError, withDeliveryLease } from './delivery-lease.js';
import type { DeliveryError, OutboxDelivery } from './outbox-delivery.entity.js';
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

/** A delivery claimed as it was written (`OutboxRelay.claimAtWrite`), to start when its transaction commits. */
export interface ClaimedAtWrite {
  readonly delivery: Claimed;
  readonly lease: DeliveryLease;
}

/** A `uuid[]` parameter as PostgreSQL's array literal (the driver would expand a JavaScript array into a list). */
function uuidArray(ids: readonly string[]): string {
  return `{${ids.join(',')}}`;
}

export function toDeliveryError(error: unknown): DeliveryError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { code: typeof code === 'string' ? code : error.name, message: error.message };
  }
  return { code: 'Error', message: String(error) };
}

/** The channel a trigger on `outbox_delivery` notifies when deliveries are written (migration `DeliveryLeases`). */
export const OUTBOX_DUE_CHANNEL = 'outbox_due';

/**
 * Delivers outbox events to their subscribers.
 *
 * - Bounded concurrency, each delivery as soon as it is claimed: `OUTBOX_CONCURRENCY` slots; the relay claims only
 *   as many due deliveries as it has free slots and starts each at once. A slow handler holds its slot and nothing
 *   else: when any delivery ends, its slot is free and the relay claims again at once if more may be due (it was
 *   woken while every slot was taken, or its last claim filled them all).
 * - Woken right after a commit that wrote outbox rows (in this process), by `NOTIFY outbox_due` (another instance
 *   wrote them), at start (whatever was left pending), and every `pollIntervalMs` (deliveries that come due: a
 *   retry's backoff, a scheduled `deliverAt`).
 * - A claim is a lease: a short statement claims due deliveries (`FOR UPDATE SKIP LOCKED`, so relays on several
 *   instances never claim the same row) by stamping each with a claim token and `claimed_until` = now +
 *   `OUTBOX_LEASE_MS`; the handlers then run with no transaction open, while a heartbeat (every third of the lease)
 *   pushes the leases this relay still holds forward, in one statement. A relay that dies stops renewing: its
 *   deliveries are taken over by any relay (a restarted one included) within the lease. A handler whose lease was
 *   lost (it hung, or lost the database, for a whole lease, and another relay took over) must not write its
 *   outcome: outcomes are written only where the claim token is still ours, and a handler's own transactions confirm
 *   the lease (`currentDeliveryLease()?.confirm(em)`), so a step never runs twice beside itself to completion. A
 *   handler's last transaction may settle its delivery itself (`settleIn(em)`: confirmed and marked delivered with
 *   its outcome, one statement), and the relay then writes nothing after it.
 * - Per subscriber: a failing subscriber is retried (exponential backoff, equal jitter) without the others running
 *   again; after `maxAttempts` the delivery is marked failed, keeps its error, and the subscriber's `onExhausted`
 *   hook runs in that transaction. `Outbox.retry` re-arms it.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('OutboxRelay');
  /** The deliveries this relay is running, by delivery id. */
  private readonly running = new Map<string, { lease: DeliveryLease; done: Promise<void> }>();
  /** Deliveries claimed at write whose transaction has not ended yet (each holds a slot), with when. */
  private readonly claimedAtWrite = new Map<string, number>();
  private claiming?: Promise<void>;
  private requested = false;
  private stopped = false;
  private timer?: NodeJS.Timeout;
  private heartbeat?: NodeJS.Timeout;
  private renewing?: Promise<void>;
  private unlisten?: () => void;
  private idle: (() => void)[] = [];
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
    private readonly notifications: DatabaseNotifications,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.relayEnabled) return;
    this.unlisten = this.notifications.listen(OUTBOX_DUE_CHANNEL, () => this.wake());
    this.schedule();
    this.wake();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    this.unlisten?.();
    clearTimeout(this.timer);
    await this.claiming;
    await Promise.all([...this.running.values()].map((r) => r.done));
    clearInterval(this.heartbeat);
    await this.renewing;
  }

  /** Asks for a claim soon, without waiting for it (after a commit, a notification, a retry re-armed). */
  wake(): void {
    if (!this.config.relayEnabled || this.stopped) return;
    this.detached(() => this.pump());
  }

  /**
   * Delivers everything due now and resolves once this relay is idle (nothing claimed, nothing running); what was
   * committed before the call is covered when the promise resolves.
   */
  drain(): Promise<void> {
    const idle = new Promise<void>((resolve) => this.idle.push(resolve));
    this.detached(() => this.pump());
    this.resolveIdle();
    return idle;
  }

  /**
   * Claims deliveries as a transaction of this process writes them: those due now, of subscribers that run here,
   * while this relay has free slots. Each row is written with this relay's claim token and a lease (its first
   * attempt), so no relay claims it; once the transaction commits, `startClaimed` runs it at once, with no claim
   * statement and no wake-up (the step after a step starts right after the commit that asks for it). A rollback
   * gives the slots back (`releaseClaimed`); a crash before the start leaves the lease to run out, and any relay
   * (a restarted one included) takes the delivery over. Answers the claims, in the rows' order.
   */
  claimAtWrite(rows: readonly { delivery: OutboxDelivery; event: EventEnvelope }[]): ClaimedAtWrite[] {
    if (!this.config.relayEnabled || this.stopped) return [];
    const now = this.clock.now();
    // A claim whose transaction never ended (its unit of work was dropped) holds its slot for one lease at most.
    for (const [id, at] of this.claimedAtWrite) {
      if (at <= now.getTime() - this.config.leaseMs) this.claimedAtWrite.delete(id);
    }
    const token = randomUUID();
    const claims: ClaimedAtWrite[] = [];
    for (const { delivery, event } of rows) {
      if (this.running.size + this.claimedAtWrite.size >= this.config.concurrency) break;
      if (delivery.nextAttemptAt > now || !this.subscribers.get(delivery.subscriber)) continue;
      delivery.claimToken = token;
      delivery.claimedUntil = new Date(now.getTime() + this.config.leaseMs);
      delivery.attempts = 1;
      this.claimedAtWrite.set(delivery.id, now.getTime());
      claims.push({
        delivery: {
          deliveryId: delivery.id,
          subscriber: delivery.subscriber,
          attempt: 1,
          lastError: null,
          event,
        },
        lease: new DeliveryLease(delivery.id, token, 1, () => this.clock.now()),
      });
    }
    return claims;
  }

  /** Runs deliveries claimed at write, their transaction committed. */
  startClaimed(claims: readonly ClaimedAtWrite[]): void {
    this.detached(() => {
      for (const { delivery, lease } of claims) {
        // Stopping: left claimed, its lease runs out and the next relay to run takes it over.
        if (this.claimedAtWrite.delete(delivery.deliveryId) && !this.stopped) this.start(delivery, lease);
      }
    });
  }

  /** Gives back the slots of deliveries claimed at write whose transaction rolled back (the rows are gone). */
  releaseClaimed(claims: readonly ClaimedAtWrite[]): void {
    for (const { delivery } of claims) this.claimedAtWrite.delete(delivery.deliveryId);
  }

  /** The ids of the deliveries this relay is running now. */
  runningDeliveries(): string[] {
    return [...this.running.keys()];
  }

  /** Claims while there are free slots and due deliveries; one claim at a time. */
  private pump(): void {
    this.requested = true;
    this.claiming ??= this.claimWhileDue()
      .catch((error: unknown) => this.logger.error({ err: error }, 'outbox relay claim failed'))
      .finally(() => {
        this.claiming = undefined;
        this.resolveIdle();
      });
  }

  private async claimWhileDue(): Promise<void> {
    while (this.requested && !this.stopped) {
      const free = this.config.concurrency - this.running.size - this.claimedAtWrite.size;
      if (free <= 0) return; // still requested: the next delivery to end claims again
      this.requested = false;
      const token = randomUUID();
      const claimed = await this.claim(token, free);
      for (const delivery of claimed) {
        this.start(
          delivery,
          new DeliveryLease(delivery.deliveryId, token, delivery.attempt, () => this.clock.now()),
        );
      }
      // Every free slot filled: more may be due.
      if (claimed.length === free) this.requested = true;
    }
  }

  private start(delivery: Claimed, lease: DeliveryLease): void {
    // Dies after the claim is committed, before the handler runs: the lease must run out and be taken over.
    failpoint('outbox.after-claim');
    const done = withDeliveryLease(lease, () => this.deliver(delivery, lease))
      .catch((error: unknown) =>
        this.logger.error(
          { err: error, subscriber: delivery.subscriber },
          'outbox delivery failed to settle',
        ),
      )
      .finally(() => {
        this.running.delete(delivery.deliveryId);
        if (this.running.size === 0) this.stopHeartbeat();
        // A slot is free: claim if something may be waiting for one (a wake-up while every slot was taken, or a
        // claim that filled them all), not after every delivery.
        if (!this.stopped && this.requested) this.pump();
        this.resolveIdle();
      });
    this.running.set(delivery.deliveryId, { lease, done });
    this.startHeartbeat();
  }

  private resolveIdle(): void {
    if (this.claiming || this.running.size > 0 || this.requested) return;
    for (const resolve of this.idle.splice(0)) resolve();
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.wake();
      if (!this.stopped) this.schedule();
    }, this.config.pollIntervalMs);
    this.timer.unref();
  }

  private startHeartbeat(): void {
    if (this.heartbeat) return;
    this.heartbeat = setInterval(
      () => {
        this.renewing ??= this.renewLeases().finally(() => (this.renewing = undefined));
      },
      Math.max(1, Math.floor(this.config.leaseMs / 3)),
    );
    this.heartbeat.unref();
  }

  private stopHeartbeat(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  /**
   * Pushes forward the leases of every delivery running here, in one statement; a delivery whose row another relay
   * has claimed since is lost (its outcome will not be written).
   */
  private async renewLeases(): Promise<void> {
    const leases = [...this.running.values()].map((r) => r.lease).filter((lease) => !lease.lost);
    if (leases.length === 0) return;
    const until = new Date(this.clock.now().getTime() + this.config.leaseMs);
    try {
      const rows: { id: string }[] = await this.orm.em
        .getConnection()
        .execute(
          'select outbox_renew_leases as id from outbox_renew_leases(?::uuid[], ?::uuid[], ?)',
          [uuidArray(leases.map((l) => l.deliveryId)), uuidArray(leases.map((l) => l.token)), until],
          'all',
        );
      const renewed = new Set(rows.map((row) => row.id));
      for (const lease of leases) {
        if (renewed.has(lease.deliveryId) || !this.running.has(lease.deliveryId)) continue;
        lease.markLost();
        this.logger.warn(
          { deliveryId: lease.deliveryId },
          'outbox lease lost to another relay; this attempt will not write its outcome',
        );
      }
    } catch (error) {
      // Tried again at the next beat; a lease that runs out meanwhile may be taken over, and confirm() tells.
      this.logger.warn({ err: error }, 'outbox lease renewal failed');
    }
  }

  private async claim(token: string, limit: number): Promise<Claimed[]> {
    const now = this.clock.now();
    const claimedUntil = new Date(now.getTime() + this.config.leaseMs);
    // Due deliveries of every tenant: through the narrow `outbox_claim_deliveries`, row-level security hiding
    // every tenant's rows from a statement outside a tenant scope. Never one running here (its lease may have run
    // out while this relay could not renew it: it is still ours to finish).
    const rows: ClaimedRow[] = await this.orm.em
      .getConnection()
      .execute(
        'select * from outbox_claim_deliveries(?, ?, ?, ?, ?::uuid[])',
        [token, now, claimedUntil, limit, uuidArray(this.runningDeliveries())],
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

  private async deliver(delivery: Claimed, lease: DeliveryLease): Promise<void> {
    const { maxAttempts } = this.config;
    const { token } = lease;
    if (delivery.attempt > maxAttempts) {
      // The last attempt's lease ran out without an outcome (its relay died): that attempt was used up.
      return this.exhaust(delivery, token, {
        code: 'OUTBOX.CLAIM_EXPIRED',
        message: `attempt ${delivery.attempt - 1} did not finish: its relay stopped renewing its lease`,
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
      // The handler's work is committed, its delivery not yet (unless it settled it): a crash here makes the event
      // come again.
      failpoint('outbox.after-handler');
    } catch (thrown) {
      // A settlement that found the delivery another relay's fails its transaction where it was sent (`settleIn`).
      const error = lease.failureOf(thrown);
      if (lease.settled) {
        // What failed came after the delivery's outcome committed with the handler's work: nothing to retry.
        this.logger.warn(
          { err: error, subscriber: delivery.subscriber, eventId: delivery.event.eventId },
          'outbox handler failed after its delivery was settled',
        );
        return;
      }
      if (error instanceof DeliveryLeaseLostError || lease.lost) {
        this.logger.warn(
          { subscriber: delivery.subscriber, eventId: delivery.event.eventId, attempt: delivery.attempt },
          'outbox lease lost while the handler ran; its outcome is left to the relay that took over',
        );
        return;
      }
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
    if (lease.settled) return; // with the handler's own last transaction
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
      // Left claimed: once its lease runs out the delivery is claimed again and exhausted again.
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
        "outbox lease lost before the outcome was written; the delivery is another relay's",
      );
    }
    return affected > 0;
  }
}
