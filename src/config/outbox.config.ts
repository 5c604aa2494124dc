import type { EnvReader } from './env-reader.js';

export abstract class OutboxConfig {
  /** Whether this instance runs the relay (on by default; every instance may run one). */
  abstract relayEnabled: boolean;
  /** How often the relay looks for due deliveries besides the wake-up after each commit. */
  abstract pollIntervalMs: number;
  /** Attempts per delivery (the first one included) before it is marked failed. */
  abstract maxAttempts: number;
  /** The first retry's delay; doubled on each attempt, with equal jitter, capped at `backoffMaxMs`. */
  abstract backoffBaseMs: number;
  abstract backoffMaxMs: number;
  /**
   * How long a delivery's claim (its lease) holds without renewal: the relay renews it every third of this while
   * the handler runs, so a relay that dies leaves deliveries that another takes over within this.
   */
  abstract leaseMs: number;
  /** How many deliveries this instance's relay runs at once (each starts as soon as it is claimed). */
  abstract concurrency: number;
  /** Events whose deliveries are all settled are deleted once older than this. */
  abstract retentionDays: number;
  /**
   * `GET /health/outbox` reports `degraded` when the oldest pending delivery is older than this (readiness
   * does not look at the backlog: a provider's outage must not take every instance out of the load balancer).
   */
  abstract backlogAlertSeconds: number;
}

export function readOutboxConfig(env: EnvReader): OutboxConfig {
  env.removed(
    'OUTBOX_BACKLOG_READY_THRESHOLD_SECONDS',
    'readiness no longer looks at the outbox backlog; set OUTBOX_BACKLOG_ALERT_SECONDS instead ' +
      '(the age of the oldest pending delivery at which GET /health/outbox reports degraded)',
  );
  env.removed(
    'OUTBOX_CLAIM_TIMEOUT_MS',
    "a delivery's claim is now a lease renewed while its handler runs; set OUTBOX_LEASE_MS instead " +
      "(how long a lease holds without renewal: a dead relay's deliveries are taken over within it)",
  );
  env.removed(
    'OUTBOX_BATCH_SIZE',
    'the relay claims as many deliveries as it has free slots; set OUTBOX_CONCURRENCY instead ' +
      '(how many deliveries an instance runs at once)',
  );
  return {
    relayEnabled: env.boolean('OUTBOX_RELAY_ENABLED', true),
    pollIntervalMs: env.integer('OUTBOX_POLL_INTERVAL_MS', 1_000, { min: 10, max: 3_600_000 }),
    maxAttempts: env.integer('OUTBOX_MAX_ATTEMPTS', 10, { min: 1, max: 1_000 }),
    backoffBaseMs: env.integer('OUTBOX_BACKOFF_BASE_MS', 1_000, { min: 0, max: 3_600_000 }),
    backoffMaxMs: env.integer('OUTBOX_BACKOFF_MAX_MS', 300_000, { min: 0, max: 86_400_000 }),
    leaseMs: env.integer('OUTBOX_LEASE_MS', 15_000, { min: 300, max: 3_600_000 }),
    // A provisioning step's slot stays taken through its provider call (it holds no database connection meanwhile):
    // with three calls of 100 ms a purchase, 16 slots would cap an instance at about 50 purchases a second.
    concurrency: env.integer('OUTBOX_CONCURRENCY', 64, { min: 1, max: 1_000 }),
    retentionDays: env.integer('OUTBOX_RETENTION_DAYS', 30, { min: 1, max: 3_650 }),
    backlogAlertSeconds: env.integer('OUTBOX_BACKLOG_ALERT_SECONDS', 600, {
      min: 1,
      max: 604_800,
    }),
  };
}
