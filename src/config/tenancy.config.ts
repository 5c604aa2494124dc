import type { EnvReader } from './env-reader.js';

export interface TenancyConfig {
  /** Live numbers a tenant may hold at once. */
  maxNumbers: number;
  /** Number purchases a tenant may start in any 60-second window (replays of an idempotent request excluded). */
  purchasesPerMinute: number;
}

export function readTenancyConfig(env: EnvReader): TenancyConfig {
  return {
    maxNumbers: env.integer('TENANT_MAX_NUMBERS', 25, { min: 0, max: 100_000 }),
    purchasesPerMinute: env.integer('TENANT_PURCHASES_PER_MINUTE', 10, { min: 1, max: 10_000 }),
  };
}
