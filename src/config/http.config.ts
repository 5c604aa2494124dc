import type { EnvReader } from './env-reader.js';

export interface HttpConfig {
  port: number;
  /** The URL at which Vapi reaches this service; webhooks are registered under it. */
  publicBaseUrl: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Largest accepted request body. */
  bodyLimit: string;
  /** How long SIGTERM waits for requests in flight before closing anyway. */
  shutdownGraceMs: number;
}

export function readHttpConfig(env: EnvReader): HttpConfig {
  const port = env.integer('PORT', 3000, { min: 0, max: 65535 });
  return {
    port,
    publicBaseUrl: env.url('PUBLIC_BASE_URL') ?? `http://localhost:${port}`,
    logLevel: env.oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
    bodyLimit: '100kb',
    shutdownGraceMs: env.integer('SHUTDOWN_GRACE_MS', 25_000, { min: 0, max: 600_000 }),
  };
}
