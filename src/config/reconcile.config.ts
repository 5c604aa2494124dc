import type { EnvReader } from './env-reader.js';

/** The reconciliation of Twilio, Vapi and our records (`src/numbers/reconcile/`). */
export abstract class ReconcileConfig {
  /** Minutes between scheduled reconciliations (one instance at a time runs each); 0: never scheduled. */
  abstract intervalMinutes: number;
  /**
   * How old (by Twilio's purchase date) a Twilio number carrying one of our marks, with no row that holds it, must
   * be before it is released: younger, it may be a purchase whose answer is still on its way.
   */
  abstract releaseAbandonedAfterMinutes: number;
  /** Numbers asked of Twilio and Vapi per request, and of our records per page, as the listings are walked. */
  abstract pageSize: number;
}

export function readReconcileConfig(env: EnvReader): ReconcileConfig {
  return {
    intervalMinutes: env.integer('RECONCILE_INTERVAL_MINUTES', 15, { min: 0, max: 10_080 }),
    releaseAbandonedAfterMinutes: env.integer('RECONCILE_RELEASE_ABANDONED_AFTER_MINUTES', 1440, {
      min: 0,
      max: 525_600,
    }),
    pageSize: env.integer('RECONCILE_PAGE_SIZE', 100, { min: 1, max: 1000 }),
  };
}
