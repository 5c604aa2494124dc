import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { OutboxConfig } from '../../config/index.js';
import { Outbox } from '../../shared/outbox/index.js';
import { Clock } from '../../shared/time/clock.js';
import type { CallEndedEvent } from './events/call-ended.event.js';
import type { CallStartedEvent } from './events/call-started.event.js';

const PRUNE_EVERY_MS = 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The Vapi message an event comes from: Vapi may deliver it more than once. */
export interface VapiMessageKey {
  callId: string;
  type: string;
}

/**
 * Where the webhook's domain events leave: written to the outbox in a transaction of their own (in the tenant's
 * scope, which is active when `publish` is called), then delivered to every subscriber at least once.
 *
 * Once per Vapi message: the same transaction records the message's (call id, type) in `vapi_webhook_message`
 * (`insert ... on conflict do nothing`), so a replay, on this instance or another, at once or later, finds its row
 * there and writes nothing; two deliveries at the same moment wait on the same key and only one inserts. The
 * rows are kept as long as the outbox keeps events (`OUTBOX_RETENTION_DAYS`).
 */
@Injectable()
export class CallEventsPublisher implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('VapiWebhook');
  private pruneTimer?: NodeJS.Timeout;

  constructor(
    private readonly em: EntityManager,
    private readonly outbox: Outbox,
    private readonly clock: Clock,
    private readonly outboxConfig: OutboxConfig,
  ) {}

  onModuleInit(): void {
    this.pruneTimer = setInterval(() => void this.prune().catch(() => undefined), PRUNE_EVERY_MS);
    this.pruneTimer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.pruneTimer);
  }

  /** Writes `event` unless its message was processed before; returns whether it did. */
  async publish(event: CallStartedEvent | CallEndedEvent, message: VapiMessageKey): Promise<boolean> {
    const published = await this.em.transactional(async (tx) => {
      const first = await tx.execute<unknown[]>(
        `insert into vapi_webhook_message (tenant_id, call_id, message_type) values (?, ?, ?)
         on conflict do nothing returning call_id`,
        [event.tenantId, message.callId, message.type],
      );
      if (first.length === 0) return false;
      this.outbox.record(tx, [event]);
      return true;
    });
    if (!published) {
      this.logger.log(
        { callId: message.callId, type: message.type },
        'Vapi message already processed; ignored',
      );
    }
    return published;
  }

  /** Forgets messages older than the outbox's retention (through the narrow `vapi_webhook_message_prune`). */
  async prune(): Promise<number> {
    const before = new Date(this.clock.now().getTime() - this.outboxConfig.retentionDays * DAY_MS);
    const [row] = await this.em
      .getConnection()
      .execute<{ pruned: number }[]>('select vapi_webhook_message_prune(?) as pruned', [before]);
    return row.pruned;
  }
}
