import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { LoggerModule } from 'nestjs-pino';
import { AnalyticsModule } from './analytics/index.js';
import { BillingModule } from './billing/index.js';
import { AppConfigModule } from './config/index.js';
import { ConsoleModule } from './console/index.js';
import { HealthModule } from './health/health.module.js';
import { NumbersModule } from './numbers/index.js';
import type { RuntimeConfig } from './runtime-config.js';
import { DatabaseModule } from './shared/database/database.module.js';
import { ProblemDetailsFilter } from './shared/http/problem-details.filter.js';
import { createValidationPipe } from './shared/http/validation.pipe.js';
import { JetStreamModule } from './shared/jetstream/jetstream.module.js';
import { loggerParams } from './shared/logging/logging.js';
import { IdempotencyModule } from './shared/idempotency/index.js';
import { MetricsModule } from './shared/metrics/metrics.module.js';
import { OutboxModule } from './shared/outbox/index.js';
import { SharedModule } from './shared/shared.module.js';
import { TelephonyModule } from './telephony/index.js';
import { TenancyModule, TenantScope } from './tenancy/index.js';
import { VoiceAgentModule } from './voice-agent/index.js';

export interface AppModuleOptions {
  /** Human-readable logs (a terminal) instead of JSON lines. */
  prettyLogs?: boolean;
}

@Module({})
export class AppModule {
  static forRoot(config: RuntimeConfig, options: AppModuleOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config),
        LoggerModule.forRoot(loggerParams(config.http.logLevel, options.prettyLogs ?? false)),
        CqrsModule.forRoot(),
        // Background work (the outbox relay) runs in the tenant's scope, as requests do.
        SharedModule.forRoot({ tenantScopeRunner: TenantScope }),
        MetricsModule,
        DatabaseModule.forRoot(config.database),
        OutboxModule.forRoot(),
        JetStreamModule.forRoot(config.nats),
        IdempotencyModule.forRoot(),
        HealthModule,
        TenancyModule,
        TelephonyModule,
        VoiceAgentModule,
        NumbersModule,
        BillingModule,
        AnalyticsModule,
        ...(config.http.consoleEnabled
          ? [ConsoleModule.forRoot({ providerMode: config.providers.mode, sandbox: config.sandbox })]
          : []),
      ],
      providers: [
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
    };
  }
}
