import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  FAST_PROVISIONING_ENV,
  inTenant,
  reloadNumber,
  storedNumber,
  tenantIdOf,
  tenantWithProject,
} from '../../../test/support/numbers.js';
import { sandboxControl } from '../../../test/support/sandbox.js';
import { createTestApp, type TestApp } from '../../../test/support/test-app.js';
import { TelephonyPort } from '../../telephony/index.js';
import { PhoneNumber, twilioMarkOf } from '../phone-number.entity.js';
import { NumberProvisioningProcessManager } from './number-provisioning.process-manager.js';

/**
 * The `purchase` step, called as the flow calls it, against the sandbox's Twilio. The relay is off: nothing but
 * the test runs a step.
 */
describe('the purchase step', () => {
  let t: TestApp;
  let owner: { tenantId: string; projectId: string; agentId: string };

  beforeAll(async () => {
    t = await createTestApp({ env: { ...FAST_PROVISIONING_ENV, OUTBOX_RELAY_ENABLED: 'false' } });
    const p = await tenantWithProject(t, 'purchase-tenant');
    owner = { tenantId: await tenantIdOf(t, p.projectId), projectId: p.projectId, agentId: p.agentId };
  });
  afterAll(async () => {
    await t.close();
  });

  const purchase = (numberId: string) =>
    inTenant(t, owner.tenantId, () => t.app.get(NumberProvisioningProcessManager).purchase(numberId));
  /** The Twilio requests a piece of work makes. */
  const twilioRequestsOf = async (work: () => Promise<unknown>) => {
    const sandbox = sandboxControl(t.sandbox!);
    const before = (await sandbox.requests()).length;
    await work();
    return (await sandbox.requests()).slice(before).filter((r) => r.provider === 'twilio');
  };

  it('on a first attempt, buys by area code in one Twilio request, marked with the number id', async () => {
    const number = await storedNumber(t, owner);

    const requests = await twilioRequestsOf(() => purchase(number.id));

    expect(requests.map((r) => [r.method, r.path])).toEqual([
      ['POST', `/2010-04-01/Accounts/${t.sandbox!.twilioAccountSid}/IncomingPhoneNumbers.json`],
    ]);
    expect(requests[0]!.body).toMatchObject({ AreaCode: '205', FriendlyName: twilioMarkOf(number.id) });
    const bought = await reloadNumber(t, owner.tenantId, number.id);
    expect(bought.status).toBe('registering');
    expect(bought.e164).toMatch(/^\+1205/);
  });

  it('after an attempt whose outcome is unknown, adopts what that attempt bought instead of buying again', async () => {
    // The first attempt bought (under the number's mark) and the process died before recording it.
    const number = await storedNumber(t, owner, (n) => n.startAttempt('purchase'));
    const lost = await t.app
      .get(TelephonyPort)
      .purchase({ areaCode: '205', friendlyName: number.twilioMark });

    const requests = await twilioRequestsOf(() => purchase(number.id));

    expect(requests.map((r) => r.method)).toEqual(['GET']);
    expect(await reloadNumber(t, owner.tenantId, number.id)).toMatchObject({
      status: 'registering',
      e164: lost.phoneNumber,
      twilioSid: lost.sid,
    });
  });

  it('adopts no number another of ours holds at Twilio (its SID), nor releases it: NUMBERS.CONFLICT, once', async () => {
    const telephony = t.app.get(TelephonyPort);
    // One of our numbers holds a Twilio number...
    const held = await telephony.purchase({ areaCode: '205' });
    const holder = await storedNumber(t, owner, (n) => {
      n.purchased({ e164: held.phoneNumber, twilioSid: held.sid });
      n.begin('register');
    });
    // ...which Twilio, for whatever reason, shows under the mark of another number whose last attempt's outcome is
    // unknown: that number is not the purchase's to adopt, nor to hand back.
    const buyer = await storedNumber(t, owner, (n) => n.startAttempt('purchase'));
    await telephony.update(held.sid, { friendlyName: twilioMarkOf(buyer.id) });

    const requests = await twilioRequestsOf(() => purchase(buyer.id));

    expect(requests.map((r) => r.method)).toEqual(['GET']);
    const failed = await reloadNumber(t, owner.tenantId, buyer.id);
    expect(failed.status).toBe('failed');
    expect(failed.e164).toBeNull();
    expect(failed.steps.purchase).toMatchObject({
      status: 'failed',
      attempts: 2,
      lastError: {
        code: 'NUMBERS.CONFLICT',
        message: 'The provider answered with a number that another of our numbers already holds.',
      },
    });
    const untouched = await reloadNumber(t, owner.tenantId, holder.id);
    expect(untouched).toMatchObject({ status: 'registering', e164: held.phoneNumber, twilioSid: held.sid });
    expect((await telephony.findOwnedByFriendlyName(twilioMarkOf(buyer.id))).map((n) => n.sid)).toEqual([
      held.sid,
    ]);

    // A redelivered event finds the step over: nothing runs again.
    await purchase(buyer.id);
    expect((await reloadNumber(t, owner.tenantId, buyer.id)).steps.purchase.attempts).toBe(2);
  });

  describe('after an attempt whose outcome is unknown, when the number it bought cannot be claimed', () => {
    let other: { tenantId: string; projectId: string; agentId: string };
    beforeAll(async () => {
      const p = await tenantWithProject(t, 'purchase-other-tenant');
      other = { tenantId: await tenantIdOf(t, p.projectId), projectId: p.projectId, agentId: p.agentId };
    });

    /** A number whose first attempt bought a Twilio number under its mark, and died before recording it. */
    const boughtThenLost = async (requestedNumber?: string) => {
      const buyer = await storedNumber(t, owner, (n) => n.startAttempt('purchase'));
      if (requestedNumber)
        await t.ownerQuery('update phone_number set requested_number = $1, area_code = null where id = $2', [
          requestedNumber,
          buyer.id,
        ]);
      const lost = await t.app.get(TelephonyPort).purchase({
        ...(requestedNumber ? { phoneNumber: requestedNumber } : { areaCode: '205' }),
        friendlyName: buyer.twilioMark,
      });
      return { buyer, lost };
    };
    /** Another tenant's number holding this E.164 number live, with a Twilio number Twilio has forgotten. */
    const heldLiveElsewhere = (e164: string) =>
      storedNumber(t, other, (n) => {
        n.purchased({ e164, twilioSid: `PN${'0'.repeat(30)}ff` });
        n.begin('register');
      });
    const twilioPath = (sid?: string) =>
      `/2010-04-01/Accounts/${t.sandbox!.twilioAccountSid}/IncomingPhoneNumbers${sid ? `/${sid}` : ''}.json`;

    it('held live by another tenant’s number (Twilio forgot that sale): handed back, and another bought', async () => {
      const { buyer, lost } = await boughtThenLost();
      const holder = await heldLiveElsewhere(lost.phoneNumber);

      const requests = await twilioRequestsOf(() => purchase(buyer.id));

      expect(requests.map((r) => [r.method, r.path])).toEqual([
        ['GET', twilioPath()],
        ['DELETE', twilioPath(lost.sid)],
        ['POST', twilioPath()],
      ]);
      const bought = await reloadNumber(t, owner.tenantId, buyer.id);
      expect(bought.status).toBe('registering');
      expect(bought.e164).toMatch(/^\+1205/);
      expect(bought.e164).not.toBe(lost.phoneNumber);
      // Exactly one Twilio number under its mark, the one it holds; the lost one is Twilio's again.
      expect(await t.app.get(TelephonyPort).findOwnedByFriendlyName(buyer.twilioMark)).toMatchObject([
        { sid: bought.twilioSid, phoneNumber: bought.e164 },
      ]);
      expect(await reloadNumber(t, other.tenantId, holder.id)).toMatchObject({
        status: 'registering',
        e164: lost.phoneNumber,
      });
    });

    it('claimed by another purchase of ours in flight: handed back to it, and another bought', async () => {
      const { buyer, lost } = await boughtThenLost();
      const first = await storedNumber(t, other);
      await t.ownerQuery('select claim_number_for_purchase($1, $2, 60000)', [lost.phoneNumber, first.id]);

      const requests = await twilioRequestsOf(() => purchase(buyer.id));

      expect(requests.map((r) => r.method)).toEqual(['GET', 'DELETE', 'POST']);
      const bought = await reloadNumber(t, owner.tenantId, buyer.id);
      expect(bought.status).toBe('registering');
      expect(bought.e164).not.toBe(lost.phoneNumber);
      expect(await t.app.get(TelephonyPort).findOwnedByFriendlyName(buyer.twilioMark)).toMatchObject([
        { sid: bought.twilioSid },
      ]);
    });

    it('asked for by name and held live by another tenant’s number: handed back, and refused', async () => {
      const [wanted] = await t.app
        .get(TelephonyPort)
        .searchAvailable({ country: 'US', areaCode: '312', limit: 1 });
      const { buyer, lost } = await boughtThenLost(wanted!.phoneNumber);
      await heldLiveElsewhere(lost.phoneNumber);

      const requests = await twilioRequestsOf(() => purchase(buyer.id));

      expect(requests.map((r) => [r.method, r.path])).toEqual([
        ['GET', twilioPath()],
        ['DELETE', twilioPath(lost.sid)],
      ]);
      expect(await reloadNumber(t, owner.tenantId, buyer.id)).toMatchObject({
        status: 'refused',
        e164: null,
        refusal: { kind: 'number-unavailable', e164: wanted!.phoneNumber },
      } satisfies Partial<PhoneNumber>);
      expect(await t.app.get(TelephonyPort).findOwnedByFriendlyName(buyer.twilioMark)).toEqual([]);
    });
  });

  it('never asks Twilio for a number another purchase of ours has claimed: refused, holding nothing', async () => {
    const [wanted] = await t.app
      .get(TelephonyPort)
      .searchAvailable({ country: 'US', areaCode: '312', limit: 1 });
    // Another purchase (trying the area code's candidates) holds a live claim on it...
    const first = await storedNumber(t, owner);
    await t.ownerQuery('select claim_number_for_purchase($1, $2, 60000)', [wanted!.phoneNumber, first.id]);
    // ...when a second asks for it by name.
    const second = await storedNumber(t, owner);
    await t.ownerQuery('update phone_number set requested_number = $1, area_code = null where id = $2', [
      wanted!.phoneNumber,
      second.id,
    ]);

    const requests = await twilioRequestsOf(() => purchase(second.id));

    expect(requests).toEqual([]);
    const refused = await reloadNumber(t, owner.tenantId, second.id);
    expect(refused).toMatchObject({
      status: 'refused',
      e164: null,
      refusal: { kind: 'number-unavailable', e164: wanted!.phoneNumber },
    } satisfies Partial<PhoneNumber>);
  });
});
