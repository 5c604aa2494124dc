import { Injectable } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import type { CallEndedEvent } from './events/call-ended.event.js';
import type { CallStartedEvent } from './events/call-started.event.js';

/**
 * The one place the webhook's domain events leave through. Today the in-memory EventBus; once the outbox lands,
 * this writes them to it instead (in the tenant's scope, which is active when `publish` is called).
 */
@Injectable()
export class CallEventsPublisher {
  constructor(private readonly events: EventBus) {}

  async publish(event: CallStartedEvent | CallEndedEvent): Promise<void> {
    this.events.publish(event);
  }
}
