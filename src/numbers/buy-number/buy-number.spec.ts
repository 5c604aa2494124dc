import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EntityManager } from '@mikro-orm/postgresql';
import { CommandBus } from '@nestjs/cqrs';
import {
  FAST_PROVISIONING_ENV,
  inTenant,
  storedNumber,
  tenantIdOf,
  tenantWithProject,
} from '../../../test/support/numbers.js';
import { createTestApp, type TestApp } from '../../../test/support/test-app.js';
import { PhoneNumber } from '../phone-number.entity.js';
import { NumberQuotaExceededError } from '../phone-number.errors.js';
import { BuyNumberCommand } from './buy-number.command.js';

const MAX_NUMBERS = 3;

/**
 * "Buy a number" at the use case: the per-tenant cap on live numbers under a real race, two requests at once
 * for the last place, each in a scope of its own as two HTTP requests would be. The relay is off and the handler
 * does not wait, so only the reservation is under test.
 */
describe('BuyNumber', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({
      env: {
        ...FAST_PROVISIONING_ENV,
        OUTBOX_RELAY_ENABLED: 'false',
        PROVISIONING_WAIT_MS: '0',
        TENANT_MAX_NUMBERS: String(MAX_NUMBERS),
      },
    });
  });
  afterAll(() => t.close());

  const request = (tenantId: string, p: { projectId: string; agentId: string }) =>
    inTenant(t, tenantId, () => t.app.get(CommandBus).execute(new BuyNumberCommand(tenantId, p, undefined)));
  const liveNumbers = (tenantId: string) =>
    inTenant(t, tenantId, () =>
      t.app.get(EntityManager).count(PhoneNumber, { status: { $nin: ['refused', 'failed', 'released'] } }),
    );

  it.each([1, 2, 3, 4, 5])(
    'two requests for the last place at once: exactly one gets it (round %i)',
    async (round) => {
      const p = await tenantWithProject(t, `quota-race-${round}`);
      const tenantId = await tenantIdOf(t, p.projectId);
      for (let i = 0; i < MAX_NUMBERS - 1; i++) await storedNumber(t, { tenantId, ...p });

      const outcomes = await Promise.allSettled([request(tenantId, p), request(tenantId, p)]);

      const granted = outcomes.filter((o) => o.status === 'fulfilled');
      const refused = outcomes.filter((o) => o.status === 'rejected');
      expect(granted).toHaveLength(1);
      expect((granted[0] as PromiseFulfilledResult<{ status: number }>).value.status).toBe(202);
      expect(refused).toHaveLength(1);
      expect((refused[0] as PromiseRejectedResult).reason).toBeInstanceOf(NumberQuotaExceededError);
      expect((refused[0] as PromiseRejectedResult).reason).toMatchObject({
        code: 'NUMBERS.QUOTA_EXCEEDED',
        details: { limit: MAX_NUMBERS },
      });
      expect(await liveNumbers(tenantId)).toBe(MAX_NUMBERS);
    },
  );
});
