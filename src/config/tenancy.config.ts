import type { EnvReader } from './env-reader.js';

/** Countries whose numbers a project's fallback number may be: those the NANP area-code table tells apart. */
export const FALLBACK_COUNTRY_CHOICES = ['US', 'CA'] as const;
export type FallbackCountry = (typeof FALLBACK_COUNTRY_CHOICES)[number];

export abstract class TenancyConfig {
  /** Live numbers a tenant may hold at once. */
  abstract maxNumbers: number;
  /** Number purchases a tenant may start in any 60-second window (replays of an idempotent request excluded). */
  abstract purchasesPerMinute: number;
  /** Number searches (`GET /api/numbers`, one Twilio call each) a tenant may make in any 60-second window. */
  abstract searchesPerMinute: number;
  /** Agents (`POST .../agents`, one Vapi call each) a tenant may create in any 60-second window. */
  abstract agentCreationsPerMinute: number;
  /** Where a project's fallback number (calls transferred at the platform's cost) may ring. */
  abstract fallbackCountries: FallbackCountry[];
}

export function readTenancyConfig(env: EnvReader): TenancyConfig {
  return {
    maxNumbers: env.integer('TENANT_MAX_NUMBERS', 25, { min: 0, max: 100_000 }),
    purchasesPerMinute: env.integer('TENANT_PURCHASES_PER_MINUTE', 10, { min: 1, max: 10_000 }),
    searchesPerMinute: env.integer('TENANT_SEARCHES_PER_MINUTE', 60, { min: 1, max: 10_000 }),
    agentCreationsPerMinute: env.integer('TENANT_AGENT_CREATIONS_PER_MINUTE', 10, { min: 1, max: 10_000 }),
    fallbackCountries: env.listOf('FALLBACK_COUNTRIES', FALLBACK_COUNTRY_CHOICES, ['US', 'CA']),
  };
}
