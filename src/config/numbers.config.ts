import type { EnvReader } from './env-reader.js';

export abstract class NumbersConfig {
  abstract defaultAreaCode: string;
  /** How long `POST /api/numbers` waits for the number to go live before answering 202. */
  abstract provisioningWaitMs: number;
  /** What a number costs a month, in US cents; carried by `NumberActivated` for billing. */
  abstract monthlyCostCents: number;
  /** How many candidates a purchase tries when the ones before were sold since the search. */
  abstract purchaseCandidates: number;
  /**
   * How long a released number stays at Twilio, detached from Vapi, for a restore (`NUMBER_RELEASE_GRACE_HOURS`,
   * fractions allowed); 0 releases it at Twilio at once.
   */
  abstract releaseGraceMs: number;
  /**
   * Named points where the process kills itself (SIGKILL), to prove the flow survives a crash there.
   * For crash tests only; empty in any real deployment.
   */
  abstract failpoints: string[];
}

export function readNumbersConfig(env: EnvReader): NumbersConfig {
  return {
    defaultAreaCode:
      env.matching('DEFAULT_AREA_CODE', /^[2-9]\d{2}$/, 'a three-digit North American area code') ?? '205',
    provisioningWaitMs: env.integer('PROVISIONING_WAIT_MS', 20_000, { min: 0, max: 120_000 }),
    monthlyCostCents: env.integer('NUMBER_MONTHLY_COST_CENTS', 115, { min: 0, max: 1_000_000 }),
    purchaseCandidates: env.integer('PURCHASE_CANDIDATES', 5, { min: 1, max: 20 }),
    releaseGraceMs: Math.round(
      env.decimal('NUMBER_RELEASE_GRACE_HOURS', 0, { min: 0, max: 24 * 90 }) * 60 * 60 * 1000,
    ),
    failpoints: (env.string('FAILPOINTS') ?? '')
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name.length > 0),
  };
}
