import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CommandBus } from '@nestjs/cqrs';
import {
  FAST_PROVISIONING_ENV,
  inTenant,
  reloadNumber,
  storedNumber,
  tenantIdOf,
  tenantWithProject,
} from '../../../test/support/numbers.js';
import { createTestApp, type TestApp } from '../../../test/support/test-app.js';
import { TelephonyPort } from '../../telephony/index.js';
import { twilioMarkOf } from '../phone-number.entity.js';
import { PurchaseNumberCommand } from './purchase-number.command.js';

/**
 * The `purchase` step, called as the flow calls it, against the sandbox's Twilio. The relay is off: nothing but
 * the test runs a step.
 */
describe('PurchaseNumber', () => {
  let t: TestApp;
  let owner: { tenantId: string; projectId: string; agentId: string };

  beforeAll(async () => {
    t = await createTestApp({ env: { ...FAST_PROVISIONING_ENV, OUTBOX_RELAY_ENABLED: 'false' } });
    const p = await tenantWithProject(t, 'purchase-tenant');
    owner = { tenantId: await tenantIdOf(t, p.projectId), projectId: p.projectId, agentId: p.agentId };
  });
  afterAll(() => t.close());

  const purchase = (numberId: string) =>
    inTenant(t, owner.tenantId, () => t.app.get(CommandBus).execute(new PurchaseNumberCommand(numberId)));

  it('fails the step with NUMBERS.CONFLICT when Twilio answers with a number another of ours holds', async () => {
    const telephony = t.app.get(TelephonyPort);
    // One of our numbers holds a Twilio number...
    const held = await telephony.purchase({ areaCode: '205' });
    const holder = await storedNumber(t, owner, (n) =>
      n.purchased({ e164: held.phoneNumber, twilioSid: held.sid }),
    );
    // ...which Twilio, for whatever reason, shows under the mark of another number being bought: the purchase
    // adopts it as the outcome of an earlier attempt, and our records say it is taken.
    const buyer = await storedNumber(t, owner);
    await telephony.update(held.sid, { friendlyName: twilioMarkOf(buyer.id) });

    await purchase(buyer.id);

    const failed = await reloadNumber(t, owner.tenantId, buyer.id);
    expect(failed.status).toBe('failed');
    expect(failed.e164).toBeNull();
    expect(failed.steps.purchase).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastError: {
        code: 'NUMBERS.CONFLICT',
        message: 'The provider answered with a number that another of our numbers already holds.',
      },
    });
    const untouched = await reloadNumber(t, owner.tenantId, holder.id);
    expect(untouched).toMatchObject({ status: 'registering', e164: held.phoneNumber, twilioSid: held.sid });

    // A redelivered event finds the step over: nothing runs again.
    await purchase(buyer.id);
    expect((await reloadNumber(t, owner.tenantId, buyer.id)).steps.purchase.attempts).toBe(1);
  });

  it('buys the first candidate of the area code and marks it with the number id', async () => {
    const number = await storedNumber(t, owner);
    await purchase(number.id);
    const bought = await reloadNumber(t, owner.tenantId, number.id);
    expect(bought.status).toBe('registering');
    const [inTwilio] = await t.app.get(TelephonyPort).findOwnedByFriendlyName(twilioMarkOf(number.id));
    expect(inTwilio).toMatchObject({ sid: bought.twilioSid, phoneNumber: bought.e164 });
  });
});
