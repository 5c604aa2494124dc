import { Injectable, OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import {
  ALL_EVENTS,
  subscriberOptionsOf,
  type OutboxHandler,
  type OutboxSubscriberDefinition,
} from './outbox-subscriber.js';

/** Which subscribers receive which event types: filled from `@OutboxSubscriber` providers, or `register`. */
@Injectable()
export class OutboxSubscriberRegistry implements OnModuleInit {
  private readonly byName = new Map<string, OutboxSubscriberDefinition>();

  constructor(private readonly discovery: DiscoveryService) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const options = subscriberOptionsOf(wrapper.metatype);
      if (options && wrapper.instance) {
        this.register({ ...options, handler: wrapper.instance as OutboxHandler });
      }
    }
  }

  register(definition: OutboxSubscriberDefinition): void {
    const existing = this.byName.get(definition.name);
    if (existing && existing.handler !== definition.handler) {
      throw new Error(`Two outbox subscribers are named "${definition.name}"`);
    }
    this.byName.set(definition.name, definition);
  }

  get(name: string): OutboxSubscriberDefinition | undefined {
    return this.byName.get(name);
  }

  /** Every subscriber that runs in this instance. */
  names(): string[] {
    return [...this.byName.keys()];
  }

  /** Every subscriber that runs in this instance, with its handler. */
  all(): OutboxSubscriberDefinition[] {
    return [...this.byName.values()];
  }

  /**
   * The names of the subscribers of an event type: one delivery row each is written with the event. A subscriber
   * whose `events` holds `ALL_EVENTS` receives every type.
   */
  subscribersOf(type: string): string[] {
    return this.all()
      .filter((s) => s.events.includes(type) || s.events.includes(ALL_EVENTS))
      .map((s) => s.name);
  }
}
