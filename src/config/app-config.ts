import { readAuthConfig, type AuthConfig } from './auth.config.js';
import { readDatabaseConfig, type DatabaseConfig } from './database.config.js';
import { EnvReader } from './env-reader.js';
import { readHttpConfig, type HttpConfig } from './http.config.js';
import { readIdempotencyConfig, type IdempotencyConfig } from './idempotency.config.js';
import { readNatsConfig, type NatsConfig } from './nats.config.js';
import { readNumbersConfig, type NumbersConfig } from './numbers.config.js';
import { readOutboxConfig, type OutboxConfig } from './outbox.config.js';
import { readProviderMode, readProvidersConfig, type ProvidersConfig } from './providers.config.js';
import { readReconcileConfig, type ReconcileConfig } from './reconcile.config.js';
import { readTenancyConfig, type TenancyConfig } from './tenancy.config.js';

/** The whole validated configuration, one namespace per concern. */
export interface AppConfig {
  http: HttpConfig;
  database: DatabaseConfig;
  providers: ProvidersConfig;
  auth: AuthConfig;
  numbers: NumbersConfig;
  outbox: OutboxConfig;
  idempotency: IdempotencyConfig;
  tenancy: TenancyConfig;
  nats: NatsConfig;
  reconcile: ReconcileConfig;
}

/** Reads and validates every variable at once; throws a `ConfigError` naming every problem. */
export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const reader = new EnvReader(env);
  const production = reader.string('NODE_ENV') === 'production';
  const mode = readProviderMode(reader, production);
  const http = readHttpConfig(reader, mode, production);
  const database = readDatabaseConfig(reader);
  const providers = readProvidersConfig(reader, mode, production);
  const config: AppConfig = {
    http,
    database,
    providers,
    auth: readAuthConfig(reader, mode, production),
    numbers: readNumbersConfig(reader),
    outbox: readOutboxConfig(reader),
    idempotency: readIdempotencyConfig(reader),
    tenancy: readTenancyConfig(reader),
    nats: readNatsConfig(reader),
    reconcile: readReconcileConfig(reader),
  };
  reader.assertValid();
  return config;
}
