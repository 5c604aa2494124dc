import type { DomainEvent } from './domain-event.js';

const EVENTS = Symbol('recordedEvents');

/**
 * The base of an aggregate (a MikroORM entity) that records domain events. MikroORM builds loaded
 * entities without running constructors, so the list is created on first use rather than in a field
 * initialiser (which is why this is not @nestjs/cqrs's AggregateRoot). The events leave through the
 * outbox in the transaction that flushes the aggregate (see `OutboxFlushSubscriber`).
 */
export abstract class AggregateRoot {
  private [EVENTS]?: DomainEvent[];

  protected recordEvent(event: DomainEvent): void {
    (this[EVENTS] ??= []).push(event);
  }

  /** The events recorded since the last pull, which are forgotten by the aggregate. */
  pullEvents(): DomainEvent[] {
    const events = this[EVENTS] ?? [];
    this[EVENTS] = [];
    return events;
  }

  hasPendingEvents(): boolean {
    return (this[EVENTS]?.length ?? 0) > 0;
  }
}
