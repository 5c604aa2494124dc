import type { EnvReader } from './env-reader.js';
import type { ProviderMode } from './providers.config.js';

export abstract class HttpConfig {
  abstract port: number;
  /** The URL at which Vapi reaches this service; webhooks are registered under it. */
  abstract publicBaseUrl: string;
  abstract logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Largest accepted request body. */
  abstract bodyLimit: string;
  /** How long SIGTERM waits for requests in flight before closing anyway. */
  abstract shutdownGraceMs: number;
  /** Whether the service serves the browser console at `/console` (`CONSOLE_ENABLED`). */
  abstract consoleEnabled: boolean;
}

export function readHttpConfig(env: EnvReader, mode: ProviderMode, production = false): HttpConfig {
  const port = env.integer('PORT', 3000, { min: 0, max: 65535 });
  // Live, Vapi sends the webhook secret to this URL with every message: over plain HTTP anyone on the way reads it.
  const publicBaseUrl =
    mode === 'live'
      ? env.require(
          'PUBLIC_BASE_URL',
          env.url('PUBLIC_BASE_URL', { protocols: ['https:'] }),
          'when PROVIDER_MODE is live (an https URL)',
        )
      : env.url('PUBLIC_BASE_URL');
  return {
    port,
    publicBaseUrl: publicBaseUrl ?? `http://localhost:${port}`,
    logLevel: env.oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
    bodyLimit: '100kb',
    shutdownGraceMs: env.integer('SHUTDOWN_GRACE_MS', 25_000, { min: 0, max: 600_000 }),
    // Off by default in production: a deployment opts in to serving the console's pages.
    consoleEnabled: env.boolean('CONSOLE_ENABLED', !production),
  };
}
