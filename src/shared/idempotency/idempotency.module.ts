import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { IdempotencyConfig } from '../../config/index.js';
import { IDEMPOTENCY_CONFIG, IdempotencyService } from './idempotency.service.js';

@Global()
@Module({})
export class IdempotencyModule {
  static forRoot(config: IdempotencyConfig): DynamicModule {
    return {
      module: IdempotencyModule,
      providers: [{ provide: IDEMPOTENCY_CONFIG, useValue: config }, IdempotencyService],
      exports: [IdempotencyService],
    };
  }
}
