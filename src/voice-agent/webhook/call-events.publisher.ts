import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { Outbox } from '../../shared/outbox/index.js';
import type { CallEndedEvent } from './events/call-ended.event.js';
import type { CallStartedEvent } from './events/call-started.event.js';

/**
 * Where the webhook's domain events leave: written to the outbox in a transaction of their own (in the tenant's
 * scope, which is active when `publish` is called), then delivered to every subscriber at least once.
 */
@Injectable()
export class CallEventsPublisher {
  constructor(
    private readonly em: EntityManager,
    private readonly outbox: Outbox,
  ) {}

  async publish(event: CallStartedEvent | CallEndedEvent): Promise<void> {
    await this.em.transactional(async (tx) => this.outbox.record(tx, [event]));
  }
}
