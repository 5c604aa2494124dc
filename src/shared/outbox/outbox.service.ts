import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { MikroORM, type EntityManager } from '@mikro-orm/core';
import { OutboxConfig } from '../../config/index.js';
import type { EventEnvelope } from '../domain/domain-event.js';
import { Clock } from '../time/clock.js';
import type { DeliveryError, DeliveryStatus } from './outbox-delivery.entity.js';
import { OutboxFlushSubscriber } from './outbox-flush.subscriber.js';
import { reportOn, type OutboxReport } from './outbox-report.js';
import { outboxRows, type OutboxWrite } from './outbox-rows.js';
import { OutboxSubscriberRegistry } from './outbox-subscriber.registry.js';
import { OutboxMetrics, type OutboxBacklog, type SubscriberBacklog } from './outbox.metrics.js';
import { OutboxRelay } from './outbox.relay.js';

const PRUNE_EVERY_MS = 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface DeliveryView {
  id: string;
  eventId: string;
  eventType: string;
  tenantId: string;
  subscriber: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: Date;
  lastError: DeliveryError | null;
  deliveredAt: Date | null;
  failedAt: Date | null;
  updatedAt: Date;
}

interface DeliveryRow {
  id: string;
  event_id: string;
  type: string;
  tenant_id: string;
  subscriber: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: Date;
  last_error: DeliveryError | null;
  delivered_at: Date | null;
  failed_at: Date | null;
  updated_at: Date;
}

/**
 * The transactional outbox. Events are written with the state change that raised them, in the same
 * transaction, in either of two ways:
 *
 * - an aggregate (extends `AggregateRoot`) records them with `recordEvent`; flushing it writes them;
 * - `outbox.record(em, events)` inside `em.transactional(...)` for events that no aggregate records.
 *
 * After the commit the relay delivers them to every subscriber of their type (see `OutboxRelay`).
 */
@Injectable()
export class Outbox implements OnModuleInit, OnModuleDestroy {
  private pruneTimer?: NodeJS.Timeout;
  private readonly flushSubscriber: OutboxFlushSubscriber;

  constructor(
    private readonly orm: MikroORM,
    private readonly subscribers: OutboxSubscriberRegistry,
    private readonly relay: OutboxRelay,
    private readonly clock: Clock,
    metrics: OutboxMetrics,
    private readonly config: OutboxConfig,
  ) {
    metrics.readBacklogFrom(() => this.backlog());
    this.flushSubscriber = new OutboxFlushSubscriber(
      (events, claimAtWrite) => this.rows(events, claimAtWrite),
      relay,
    );
  }

  onModuleInit(): void {
    this.orm.em.getEventManager().registerSubscriber(this.flushSubscriber);
    if (this.config.relayEnabled) {
      this.pruneTimer = setInterval(() => void this.prune().catch(() => undefined), PRUNE_EVERY_MS);
      this.pruneTimer.unref();
    }
  }

  onModuleDestroy(): void {
    clearInterval(this.pruneTimer);
  }

  /** Adds the events to `em`'s unit of work; they are written by its next flush (the transaction's commit). */
  record(em: EntityManager, events: readonly EventEnvelope[]): void {
    for (const row of this.flushSubscriber.rowsFor(em, events)) em.persist(row);
  }

  /** The rows of `events`; with `claimAtWrite`, the relay claims what it can run here as they are written. */
  private rows(events: readonly EventEnvelope[], claimAtWrite: boolean): OutboxWrite {
    const now = this.clock.now();
    const written = events.map((event) => ({
      event,
      rows: outboxRows(event, this.subscribers.subscribersOf(event.type), now),
    }));
    const deliveries = written.flatMap(({ event, rows: [, ...deliveries] }) =>
      deliveries.map((delivery) => ({ delivery, event })),
    );
    const claims = claimAtWrite ? this.relay.claimAtWrite(deliveries) : [];
    return {
      rows: written.flatMap(({ rows }) => rows),
      claims,
      unclaimed: claims.length < deliveries.length,
    };
  }

  /** Deliveries, newest first: what is pending, what failed and why. */
  async deliveries(
    filter: { eventId?: string; subscriber?: string; status?: DeliveryStatus } = {},
  ): Promise<DeliveryView[]> {
    // Across tenants, for operators: through the narrow `outbox_deliveries` (no payloads).
    const rows: DeliveryRow[] = await this.connection().execute(
      'select * from outbox_deliveries(?, ?, ?)',
      [filter.eventId ?? null, filter.subscriber ?? null, filter.status ?? null],
      'all',
    );
    return rows.map((row) => ({
      id: row.id,
      eventId: row.event_id,
      eventType: row.type,
      tenantId: row.tenant_id,
      subscriber: row.subscriber,
      status: row.status,
      attempts: row.attempts,
      nextAttemptAt: new Date(row.next_attempt_at),
      lastError: row.last_error,
      deliveredAt: row.delivered_at && new Date(row.delivered_at),
      failedAt: row.failed_at && new Date(row.failed_at),
      updatedAt: new Date(row.updated_at),
    }));
  }

  /**
   * Re-arms failed deliveries (all of a subscriber's, or one event's): pending again with a fresh set of
   * attempts, due now. The last error stays until the next attempt replaces it. Returns how many.
   */
  async retry(filter: { subscriber: string; eventId?: string }): Promise<number> {
    const [row] = await this.connection().execute<{ rearmed: number }[]>(
      'select outbox_retry(?, ?, ?) as rearmed',
      [filter.subscriber, filter.eventId ?? null, this.clock.now()],
      'all',
    );
    const count = row.rearmed;
    if (count > 0) this.relay.wake();
    return count;
  }

  /**
   * Marks a subscriber's failed deliveries of the events whose payload contains `payload` (e.g. `{ numberId }`)
   * `superseded`, in `em`'s transaction (the tenant's: row-level security limits it to that tenant's rows): for a
   * reaction that takes their work up again with a new event (a step retried), so that the old failures are
   * settled and no longer reported as failed. Returns how many.
   */
  async supersede(em: EntityManager, subscriber: string, payload: Record<string, string>): Promise<number> {
    const result = await em.getConnection().execute(
      `update outbox_delivery d set status = 'superseded', updated_at = ?
         from outbox_event e
        where e.id = d.event_id and d.subscriber = ? and d.status = 'failed' and e.payload @> ?::jsonb`,
      [this.clock.now(), subscriber, JSON.stringify(payload)],
      'run',
      em.getTransactionContext(),
    );
    return (result as { affectedRows?: number }).affectedRows ?? 0;
  }

  /**
   * Deletes events recorded more than `retentionDays` ago whose every delivery succeeded (pending and
   * failed ones are kept: they still matter). Returns how many events were deleted.
   */
  async prune(): Promise<number> {
    const before = new Date(this.clock.now().getTime() - this.config.retentionDays * DAY_MS);
    const [row] = await this.connection().execute<{ pruned: number }[]>(
      'select outbox_prune(?) as pruned',
      [before],
      'all',
    );
    return row.pruned;
  }

  /**
   * Deliveries not settled yet, in total and by subscriber (every subscriber that runs here, with zeros, and
   * any other that has rows), from the database: the same figures on every instance.
   */
  async backlog(): Promise<OutboxBacklog> {
    // Counts of every tenant's deliveries, no rows: through the narrow `outbox_backlog`.
    const rows = await this.connection().execute<
      { subscriber: string; pending: string; failed: string; oldest: Date | string | null }[]
    >('select * from outbox_backlog()', [], 'all');
    const now = this.clock.now().getTime();
    const bySubscriber = new Map<string, SubscriberBacklog>(
      this.subscribers
        .names()
        .map((subscriber) => [subscriber, { subscriber, pending: 0, failed: 0, oldestPendingAgeSeconds: 0 }]),
    );
    for (const row of rows) {
      bySubscriber.set(row.subscriber, {
        subscriber: row.subscriber,
        pending: Number(row.pending),
        failed: Number(row.failed),
        oldestPendingAgeSeconds: row.oldest ? Math.max(0, (now - new Date(row.oldest).getTime()) / 1000) : 0,
      });
    }
    const subscribers = [...bySubscriber.values()].sort((a, b) => a.subscriber.localeCompare(b.subscriber));
    return {
      pending: subscribers.reduce((sum, s) => sum + s.pending, 0),
      failed: subscribers.reduce((sum, s) => sum + s.failed, 0),
      oldestPendingAgeSeconds: Math.max(0, ...subscribers.map((s) => s.oldestPendingAgeSeconds)),
      subscribers,
    };
  }

  /** The backlog with a verdict: `degraded` when it is older than `OUTBOX_BACKLOG_ALERT_SECONDS` or has failures. */
  async report(): Promise<OutboxReport> {
    return reportOn(await this.backlog(), this.config.backlogAlertSeconds);
  }

  private connection() {
    return this.orm.em.getConnection();
  }
}
