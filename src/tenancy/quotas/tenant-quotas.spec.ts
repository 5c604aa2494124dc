import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { createTestApp, type TestApp } from '../../../test/support/test-app.js';
import { RateLimitedError } from '../../shared/errors/index.js';
import { TenantDirectory } from '../auth/tenant-directory.js';
import { TenantScope } from '../tenant-scope/tenant-scope.js';
import { TenantQuotas, type PurchaseReservation } from './tenant-quotas.js';

describe('TenantQuotas', () => {
  let t: TestApp;
  let quotas: TenantQuotas;
  let scope: TenantScope;
  let owner: pg.Client;
  let tenantA: string;
  let tenantB: string;
  let liveNumbers = 0;
  const countLiveNumbers = async () => liveNumbers;

  // The tenant's id comes as $1, as the numbers' own query has it.
  const liveNumbersQuery = () => `select ${liveNumbers}::int from (select $1::uuid) as tenant`;
  const reserve = (tenantId: string, idempotencyKey?: string) =>
    scope.run(tenantId, () =>
      quotas.reservePurchase(tenantId, { idempotencyKey, liveNumbersQuery: liveNumbersQuery() }),
    );
  const outcome = (promise: Promise<PurchaseReservation>) =>
    promise.then(
      (reservation) => (reservation.reserved ? 'ok' : `at the limit of ${reservation.maxNumbers}`),
      (error: unknown) => (error instanceof RateLimitedError ? error.code : String(error)),
    );

  beforeAll(async () => {
    t = await createTestApp({ env: { TENANT_MAX_NUMBERS: '2', TENANT_PURCHASES_PER_MINUTE: '3' } });
    quotas = t.app.get(TenantQuotas);
    scope = t.app.get(TenantScope);
    const directory = t.app.get(TenantDirectory);
    [tenantA, tenantB] = [await directory.ensure('quota-a'), await directory.ensure('quota-b')];
    owner = new pg.Client({ connectionString: t.database.url });
    await owner.connect();
  });
  afterAll(async () => {
    await owner.end();
    await t.close();
  });
  beforeEach(async () => {
    liveNumbers = 0;
    await owner.query('delete from tenant_purchase');
  });

  it('allows TENANT_PURCHASES_PER_MINUTE purchases a minute per tenant, then RATE_LIMITED with a wait', async () => {
    for (let i = 0; i < 3; i++) await reserve(tenantA);
    const error = await reserve(tenantA).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).code).toBe('RATE_LIMITED');
    expect((error as RateLimitedError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect((error as RateLimitedError).retryAfterSeconds).toBeLessThanOrEqual(60);
    // Another tenant has its own window.
    await reserve(tenantB);
  });

  it('lets the window slide: purchases older than a minute no longer count', async () => {
    for (let i = 0; i < 3; i++) await reserve(tenantA);
    await owner.query("update tenant_purchase set created_at = created_at - interval '61 seconds'");
    await expect(reserve(tenantA)).resolves.toEqual({ reserved: true });
  });

  it('does not count replays of an idempotent request', async () => {
    await reserve(tenantA, 'key-1');
    for (let i = 0; i < 5; i++) await reserve(tenantA, 'key-1');
    await reserve(tenantA, 'key-2');
    await reserve(tenantA, 'key-3');
    expect(await outcome(reserve(tenantA, 'key-4'))).toBe('RATE_LIMITED');
    const { rows } = await owner.query('select count(*)::int as n from tenant_purchase');
    expect(rows[0].n).toBe(3);
  });

  it('refuses a purchase beyond TENANT_MAX_NUMBERS live numbers, and does not count it', async () => {
    liveNumbers = 1;
    expect(await outcome(reserve(tenantA))).toBe('ok');
    liveNumbers = 2;
    expect(await outcome(reserve(tenantA))).toBe('at the limit of 2');
    const { rows } = await owner.query('select count(*)::int as n from tenant_purchase');
    expect(rows[0].n).toBe(1);
  });

  it('lets a number come back (a restore) below TENANT_MAX_NUMBERS only, without counting it as a purchase', async () => {
    const comeBack = () =>
      scope.run(tenantA, () => outcome(quotas.reserveReturn(tenantA, { countLiveNumbers })));
    liveNumbers = 1;
    expect(await comeBack()).toBe('ok');
    liveNumbers = 2;
    expect(await comeBack()).toBe('at the limit of 2');
    // Not a purchase: the purchase window is untouched, even past its limit of 3.
    liveNumbers = 0;
    for (let i = 0; i < 4; i++) expect(await comeBack()).toBe('ok');
    const { rows } = await owner.query('select count(*)::int as n from tenant_purchase');
    expect(rows[0].n).toBe(0);
  });

  it('lets exactly the limit through when purchases race', async () => {
    const outcomes = await Promise.all(Array.from({ length: 6 }, () => outcome(reserve(tenantA))));
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(3);
    expect(outcomes.filter((o) => o === 'RATE_LIMITED')).toHaveLength(3);
  });
});
