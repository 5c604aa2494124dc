import { Global, Module, type DynamicModule } from '@nestjs/common';
import { IdempotencyService } from './idempotency.service.js';

@Global()
@Module({})
export class IdempotencyModule {
  /** The service reads `IdempotencyConfig`, which `AppConfigModule` provides. */
  static forRoot(): DynamicModule {
    return {
      module: IdempotencyModule,
      providers: [IdempotencyService],
      exports: [IdempotencyService],
    };
  }
}
