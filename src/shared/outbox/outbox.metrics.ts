import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Registry } from 'prom-client';

export interface OutboxBacklog {
  /** Deliveries waiting to run (due now or backing off). */
  pending: number;
  /** Deliveries that ran out of attempts and wait for a retry. */
  failed: number;
  /** Age of the oldest pending delivery, 0 when there is none. */
  oldestPendingAgeSeconds: number;
}

/** The outbox's Prometheus metrics on the application's registry. */
@Injectable()
export class OutboxMetrics {
  readonly delivered: Counter<'subscriber'>;
  readonly failures: Counter<'subscriber' | 'outcome'>;
  private source?: () => Promise<OutboxBacklog>;

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
    const backlog = () =>
      this.source?.() ?? Promise.resolve({ pending: 0, failed: 0, oldestPendingAgeSeconds: 0 });
    new Gauge({
      name: 'outbox_backlog',
      help: 'Outbox deliveries by status (pending: waiting to run; failed: out of attempts).',
      labelNames: ['status'],
      registers: [registry],
      async collect() {
        const { pending, failed } = await backlog();
        this.set({ status: 'pending' }, pending);
        this.set({ status: 'failed' }, failed);
      },
    });
    new Gauge({
      name: 'outbox_oldest_pending_age_seconds',
      help: 'Age of the oldest pending outbox delivery, in seconds (0 when none is pending).',
      registers: [registry],
      async collect() {
        this.set((await backlog()).oldestPendingAgeSeconds);
      },
    });
  }

  /** Where the gauges read the backlog from at each scrape. */
  readBacklogFrom(source: () => Promise<OutboxBacklog>): void {
    this.source = source;
  }
}
