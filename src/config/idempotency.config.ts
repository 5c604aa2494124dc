import type { EnvReader } from './env-reader.js';

export abstract class IdempotencyConfig {
  /** How long a key remembers its answer. */
  abstract ttlHours: number;
  /** How long a request waits for another one holding the same key before answering 409. */
  abstract waitMs: number;
  /**
   * How long an in-progress key is held: a process that died while running leaves a key that a retry may
   * take over after this (it must exceed the longest request).
   */
  abstract leaseMs: number;
}

export function readIdempotencyConfig(env: EnvReader): IdempotencyConfig {
  return {
    ttlHours: env.integer('IDEMPOTENCY_TTL_HOURS', 24, { min: 1, max: 720 }),
    waitMs: env.integer('IDEMPOTENCY_WAIT_MS', 25_000, { min: 0, max: 600_000 }),
    leaseMs: env.integer('IDEMPOTENCY_LEASE_MS', 120_000, { min: 1_000, max: 86_400_000 }),
  };
}
