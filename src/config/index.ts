export * from './app-config.js';
export { ConfigError, EnvReader } from './env-reader.js';
export type { AuthConfig } from './auth.config.js';
export type { DatabaseConfig } from './database.config.js';
export type { HttpConfig } from './http.config.js';
export type { IdempotencyConfig } from './idempotency.config.js';
export type { NatsConfig } from './nats.config.js';
export type { NumbersConfig } from './numbers.config.js';
export type { OutboxConfig } from './outbox.config.js';
export type { FallbackCountry, TenancyConfig } from './tenancy.config.js';
export { SANDBOX_DEFAULTS } from './providers.config.js';
export type {
  ProviderMode,
  ProvidersConfig,
  SandboxConfig,
  TwilioConfig,
  VapiConfig,
  VapiNumberProvider,
} from './providers.config.js';
