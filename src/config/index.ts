export * from './app-config.js';
export { AppConfigModule } from './app-config.module.js';
export { ConfigError, EnvReader } from './env-reader.js';
export { AuthConfig } from './auth.config.js';
export { DatabaseConfig } from './database.config.js';
export { HttpConfig } from './http.config.js';
export { IdempotencyConfig } from './idempotency.config.js';
export { NatsConfig } from './nats.config.js';
export { NumbersConfig } from './numbers.config.js';
export { OutboxConfig } from './outbox.config.js';
export { ReconcileConfig } from './reconcile.config.js';
export { TenancyConfig, type FallbackCountry } from './tenancy.config.js';
export {
  DEFAULT_TWILIO_MAX_CONCURRENCY,
  SANDBOX_DEFAULTS,
  SandboxConfig,
  TwilioConfig,
  VapiConfig,
} from './providers.config.js';
export type { ProviderMode, ProvidersConfig, VapiNumberProvider } from './providers.config.js';
