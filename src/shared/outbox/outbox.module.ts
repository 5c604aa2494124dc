import { Global, Module, type DynamicModule } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { ProjectionReplay } from '../consumers/projection-replay.js';
import { OutboxDelivery } from './outbox-delivery.entity.js';
import { OutboxEvent } from './outbox-event.entity.js';
import { OutboxSubscriberRegistry } from './outbox-subscriber.registry.js';
import { OutboxMetrics } from './outbox.metrics.js';
import { OutboxRelay } from './outbox.relay.js';
import { Outbox } from './outbox.service.js';

/**
 * The transactional outbox and its relay; global, so every module can record events and subscribe.
 * Its entities are declared in the decorator, evaluated once per process: MikroORM's NestJS integration
 * keeps `forFeature` entities in a static store that a `forFeature` call made after an application closed
 * would clear (a second application in the same process would then miss every other module's entities).
 */
@Global()
@Module({ imports: [DiscoveryModule, MikroOrmModule.forFeature([OutboxEvent, OutboxDelivery])] })
export class OutboxModule {
  /** The relay and the service read `OutboxConfig`, which `AppConfigModule` provides. */
  static forRoot(): DynamicModule {
    return {
      module: OutboxModule,
      providers: [OutboxSubscriberRegistry, OutboxMetrics, OutboxRelay, Outbox, ProjectionReplay],
      exports: [Outbox, OutboxRelay, OutboxSubscriberRegistry, ProjectionReplay],
    };
  }
}
