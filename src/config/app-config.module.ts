import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig } from './app-config.js';
import { AuthConfig } from './auth.config.js';
import { HttpConfig } from './http.config.js';
import { IdempotencyConfig } from './idempotency.config.js';
import { NatsConfig } from './nats.config.js';
import { NumbersConfig } from './numbers.config.js';
import { OutboxConfig } from './outbox.config.js';
import { SandboxConfig, TwilioConfig, VapiConfig } from './providers.config.js';
import { ReconcileConfig } from './reconcile.config.js';
import { TenancyConfig } from './tenancy.config.js';

/**
 * Every namespace of the validated configuration, injected by its type: each is an abstract class, so that it is
 * also its DI token (`constructor(private readonly twilio: TwilioConfig)`), as ports are. No string key, and the
 * type is the one `loadConfig` validated, not an assertion.
 *
 * Not `registerAs`: its factories run inside Nest and read the environment, while this service's configuration
 * is read and validated once, before the application exists, then completed by the runtime (the sandbox's URLs
 * and credentials, the embedded database) and, in tests, given explicitly. The database's namespace is given to
 * `DatabaseModule.forRoot`, which needs it to build the ORM.
 */
@Global()
@Module({})
export class AppConfigModule {
  static forRoot(config: Omit<AppConfig, 'database'>): DynamicModule {
    const namespaces = [
      { provide: HttpConfig, useValue: config.http },
      { provide: AuthConfig, useValue: config.auth },
      { provide: NumbersConfig, useValue: config.numbers },
      { provide: OutboxConfig, useValue: config.outbox },
      { provide: IdempotencyConfig, useValue: config.idempotency },
      { provide: NatsConfig, useValue: config.nats },
      { provide: TenancyConfig, useValue: config.tenancy },
      { provide: TwilioConfig, useValue: config.providers.twilio },
      { provide: VapiConfig, useValue: config.providers.vapi },
      { provide: SandboxConfig, useValue: config.providers.sandbox },
      { provide: ReconcileConfig, useValue: config.reconcile },
    ];
    return {
      module: AppConfigModule,
      providers: namespaces,
      exports: namespaces.map((namespace) => namespace.provide),
    };
  }
}
