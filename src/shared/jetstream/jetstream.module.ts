import { Module, type DynamicModule } from '@nestjs/common';
import type { NatsConfig } from '../../config/index.js';
import { JetStreamPublisher } from './jetstream.publisher.js';

/**
 * Publishes every domain event to NATS JetStream when `NATS_URL` is set; nothing at all otherwise. The publisher
 * reads `NatsConfig`, which `AppConfigModule` provides.
 */
@Module({})
export class JetStreamModule {
  static forRoot(config: NatsConfig): DynamicModule {
    return {
      module: JetStreamModule,
      providers: config.url ? [JetStreamPublisher] : [],
    };
  }
}
