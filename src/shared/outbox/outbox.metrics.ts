import { Injectable, Logger } from '@nestjs/common';
import { Counter, Gauge, Registry } from 'prom-client';
import { withTimeout } from '../time/with-timeout.js';

/** One subscriber's share of the backlog. */
export interface SubscriberBacklog {
  subscriber: string;
  /** Deliveries waiting to run (due now or backing off). */
  pending: number;
  /** Deliveries that ran out of attempts and wait for a retry. */
  failed: number;
  /** Age of the oldest pending delivery, 0 when there is none. */
  oldestPendingAgeSeconds: number;
}

/** The whole backlog (every instance's: it is read from the database), and by subscriber. */
export interface OutboxBacklog extends Omit<SubscriberBacklog, 'subscriber'> {
  subscribers: SubscriberBacklog[];
}

const EMPTY: OutboxBacklog = { pending: 0, failed: 0, oldestPendingAgeSeconds: 0, subscribers: [] };
/** Well within a Prometheus scrape timeout (10 s by default), so the process metrics still get through. */
const READ_TIMEOUT_MS = 3_000;

/**
 * The outbox's Prometheus metrics on the application's registry. When the backlog cannot be read (the
 * database is unreachable), its gauges have no value (`NaN`, or no series) rather than a reassuring 0, and
 * the rest of `/metrics` is served as usual.
 */
@Injectable()
export class OutboxMetrics {
  readonly delivered: Counter<'subscriber'>;
  readonly failures: Counter<'subscriber' | 'outcome'>;
  private readonly logger = new Logger('OutboxMetrics');
  private source?: () => Promise<OutboxBacklog>;
  private reading?: Promise<OutboxBacklog | undefined>;

  constructor(registry: Registry) {
    this.delivered = new Counter({
      name: 'outbox_deliveries_total',
      help: 'Events delivered to a subscriber, by subscriber.',
      labelNames: ['subscriber'],
      registers: [registry],
    });
    this.failures = new Counter({
      name: 'outbox_delivery_failures_total',
      help: 'Failed delivery attempts, by subscriber and outcome (retry: scheduled again; exhausted: marked failed).',
      labelNames: ['subscriber', 'outcome'],
      registers: [registry],
    });
    const backlog = () => this.backlog();
    new Gauge({
      name: 'outbox_backlog',
      help: 'Outbox deliveries by status (pending: waiting to run; failed: out of attempts).',
      labelNames: ['status'],
      registers: [registry],
      async collect() {
        const read = await backlog();
        this.reset();
        if (!read) return;
        this.set({ status: 'pending' }, read.pending);
        this.set({ status: 'failed' }, read.failed);
      },
    });
    new Gauge({
      name: 'outbox_oldest_pending_age_seconds',
      help: 'Age of the oldest pending outbox delivery, in seconds (0 when none is pending).',
      registers: [registry],
      async collect() {
        this.set((await backlog())?.oldestPendingAgeSeconds ?? NaN);
      },
    });
    new Gauge({
      name: 'outbox_subscriber_backlog',
      help: 'Outbox deliveries by subscriber and status (pending: waiting to run; failed: out of attempts, waiting for a retry).',
      labelNames: ['subscriber', 'status'],
      registers: [registry],
      async collect() {
        const read = await backlog();
        this.reset(); // a subscriber that no longer appears must not keep its last values
        for (const { subscriber, pending, failed } of read?.subscribers ?? []) {
          this.set({ subscriber, status: 'pending' }, pending);
          this.set({ subscriber, status: 'failed' }, failed);
        }
      },
    });
    new Gauge({
      name: 'outbox_subscriber_oldest_pending_age_seconds',
      help: "Age of a subscriber's oldest pending outbox delivery, in seconds (0 when none is pending).",
      labelNames: ['subscriber'],
      registers: [registry],
      async collect() {
        const read = await backlog();
        this.reset();
        for (const { subscriber, oldestPendingAgeSeconds } of read?.subscribers ?? []) {
          this.set({ subscriber }, oldestPendingAgeSeconds);
        }
      },
    });
  }

  /** Where the gauges read the backlog from at each scrape. */
  readBacklogFrom(source: () => Promise<OutboxBacklog>): void {
    this.source = source;
  }

  /**
   * The backlog for a scrape, or undefined when it cannot be read: the gauges collect together, so they
   * share one read of it.
   */
  private backlog(): Promise<OutboxBacklog | undefined> {
    const source = this.source;
    if (!source) return Promise.resolve(EMPTY);
    this.reading ??= withTimeout(source(), READ_TIMEOUT_MS)
      .catch((error: unknown) => {
        this.logger.warn({ err: error }, 'outbox backlog unreadable; its metrics have no value this scrape');
        return undefined;
      })
      .finally(() => (this.reading = undefined));
    return this.reading;
  }
}
