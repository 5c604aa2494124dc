import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { sandboxControl, startTestSandbox, twilioAdapterFor } from '../../../test/support/sandbox.js';
import type { SandboxHandle } from '../../sandbox/index.js';
import { ProviderFailureError } from '../../shared/errors/index.js';
import {
  AddressRequiredError,
  InvalidAreaCodeError,
  InvalidPhoneNumberError,
  NoNumbersAvailableError,
  NumberUnavailableError,
  OwnedNumberNotFoundError,
} from '../telephony.errors.js';
import type { TwilioTelephonyAdapter } from './twilio-telephony.adapter.js';

describe('TwilioTelephonyAdapter against the sandbox, through the twilio SDK', () => {
  let sandbox: SandboxHandle;
  let control: ReturnType<typeof sandboxControl>;
  let twilio: TwilioTelephonyAdapter;

  const adapter = (overrides: { authToken?: string; timeoutMs?: number } = {}) =>
    twilioAdapterFor(sandbox, overrides);

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    control = sandboxControl(sandbox);
    twilio = adapter();
  });
  afterAll(() => sandbox.stop());
  beforeEach(async () => {
    await control.reset();
  });

  describe('searchAvailable', () => {
    it('finds numbers in an area code and reads the live API capability casing', async () => {
      const found = await twilio.searchAvailable({ areaCode: '205', limit: 30 });
      expect(found).toHaveLength(30);
      expect(found.every((n) => n.phoneNumber.startsWith('+1205') && n.region === 'AL')).toBe(true);
      // The emulator answers { voice, SMS, MMS } like the live API; the adapter reads both casings.
      expect(found.some((n) => n.capabilities.sms)).toBe(true);
      expect(found.some((n) => !n.capabilities.sms)).toBe(true);
      expect(found.every((n) => n.capabilities.voice)).toBe(true);
    });

    it('honours Contains with wildcards, region, toll-free and address filters, and finds none where there is no stock', async () => {
      const [first] = await twilio.searchAvailable({ areaCode: '415', limit: 1 });
      const lastFour = first!.phoneNumber.slice(-4);
      const byEnding = await twilio.searchAvailable({ contains: `${lastFour}$` });
      expect(byEnding.map((n) => n.phoneNumber)).toContain(first!.phoneNumber);
      expect(byEnding.every((n) => n.phoneNumber.endsWith(lastFour))).toBe(true);

      const anchored = await twilio.searchAvailable({ contains: '+1512***', limit: 100 });
      expect(anchored.length).toBeGreaterThanOrEqual(50);
      expect(anchored.every((n) => n.phoneNumber.startsWith('+1512'))).toBe(true);

      const texas = await twilio.searchAvailable({ region: 'TX', limit: 100 });
      expect(texas.every((n) => n.region === 'TX')).toBe(true);

      const tollFree = await twilio.searchAvailable({ tollFree: true, areaCode: '888' });
      expect(tollFree.length).toBeGreaterThan(0);
      expect(tollFree.every((n) => n.phoneNumber.startsWith('+1888') && n.region === null)).toBe(true);

      const canada = await twilio.searchAvailable({ country: 'CA', areaCode: '416' });
      expect(canada.length).toBeGreaterThan(0);
      const canadaWithoutAddress = await twilio.searchAvailable({
        country: 'CA',
        areaCode: '416',
        excludeAddressRequired: true,
      });
      expect(canadaWithoutAddress).toEqual([]);

      await expect(twilio.searchAvailable({ areaCode: '907' })).resolves.toEqual([]);
    });

    it('turns an invalid area code into InvalidAreaCodeError', async () => {
      await expect(twilio.searchAvailable({ areaCode: '911' })).rejects.toBeInstanceOf(InvalidAreaCodeError);
    });
  });

  describe('the purchase lifecycle', () => {
    it('searches, buys, fetches, finds, updates and releases a number', async () => {
      const [candidate] = await twilio.searchAvailable({ areaCode: '205', limit: 1 });
      const bought = await twilio.purchase({
        phoneNumber: candidate!.phoneNumber,
        friendlyName: 'project-42',
      });
      expect(bought).toMatchObject({
        phoneNumber: candidate!.phoneNumber,
        friendlyName: 'project-42',
        accountSid: sandbox.twilioAccountSid,
        status: 'in-use',
        voiceUrl: null,
        trunkSid: null,
      });
      expect(bought.sid).toMatch(/^PN[0-9a-f]{32}$/);
      expect(bought.dateCreated).toBeInstanceOf(Date);

      // A bought number leaves the inventory.
      const again = await twilio.searchAvailable({ contains: `+${candidate!.phoneNumber.slice(1)}` });
      expect(again).toEqual([]);

      expect(await twilio.fetch(bought.sid)).toEqual(bought);
      expect(await twilio.findOwnedByNumber(candidate!.phoneNumber)).toEqual(bought);
      expect(await twilio.findOwnedByFriendlyName('project-42')).toEqual([bought]);
      expect(await twilio.findOwnedByNumber('+12055550000')).toBeNull();

      const routed = await twilio.update(bought.sid, {
        voiceUrl: 'https://example.com/voice',
        voiceFallbackUrl: 'https://example.com/fallback',
        friendlyName: 'project-42-main',
      });
      expect(routed).toMatchObject({
        voiceUrl: 'https://example.com/voice',
        voiceFallbackUrl: 'https://example.com/fallback',
        friendlyName: 'project-42-main',
      });

      const trunked = await twilio.update(bought.sid, { trunkSid: sandbox.trunkSid });
      expect(trunked.trunkSid).toBe(sandbox.trunkSid);
      // A voice URL replaces the trunk, as on Twilio.
      const back = await twilio.update(bought.sid, { voiceUrl: 'https://example.com/voice2' });
      expect(back).toMatchObject({ trunkSid: null, voiceUrl: 'https://example.com/voice2' });
      const cleared = await twilio.update(bought.sid, { voiceUrl: null });
      expect(cleared.voiceUrl).toBeNull();

      expect(await twilio.release(bought.sid)).toBe(true);
      expect(await twilio.fetch(bought.sid)).toBeNull();
      expect(await twilio.release(bought.sid)).toBe(false);
      // A released number does not come back on sale at once.
      await expect(twilio.purchase({ phoneNumber: candidate!.phoneNumber })).rejects.toBeInstanceOf(
        NumberUnavailableError,
      );
    });

    it('buys by area code and lists every owned number across several pages', async () => {
      const bought = [];
      for (let i = 0; i < 5; i++)
        bought.push(await twilio.purchase({ areaCode: '212', friendlyName: `bulk-${i}` }));
      expect(new Set(bought.map((n) => n.phoneNumber)).size).toBe(5);
      expect(bought.every((n) => n.phoneNumber.startsWith('+1212'))).toBe(true);

      // Two per page: the SDK follows the relative next_page_uri through the redirecting client.
      const listed = await twilio.list({ pageSize: 2 });
      expect(listed.map((n) => n.sid)).toEqual(bought.map((n) => n.sid));
    });

    it('treats buying a number the account already owns as an update (201), like live Twilio', async () => {
      const first = await twilio.purchase({ areaCode: '205' });
      const second = await twilio.purchase({ phoneNumber: first.phoneNumber, friendlyName: 'retried' });
      expect(second.sid).toBe(first.sid);
      expect(second.friendlyName).toBe('retried');
    });
  });

  describe('errors arrive as domain errors', () => {
    it('maps 21422, 21421, 21451, 21452 and 21631', async () => {
      // Not in the inventory: sold to someone else, or never Twilio's.
      await expect(twilio.purchase({ phoneNumber: '+12059990000' })).rejects.toMatchObject({
        code: 'NUMBERS.UNAVAILABLE',
        constructor: NumberUnavailableError,
      });
      await expect(twilio.purchase({ phoneNumber: '+1205' })).rejects.toMatchObject({
        code: 'NUMBERS.INVALID_NUMBER',
        constructor: InvalidPhoneNumberError,
      });
      await expect(twilio.purchase({ areaCode: '123' })).rejects.toMatchObject({
        code: 'NUMBERS.INVALID_AREA_CODE',
        constructor: InvalidAreaCodeError,
      });
      await expect(twilio.purchase({ areaCode: '907' })).rejects.toMatchObject({
        code: 'NUMBERS.NONE_AVAILABLE',
        constructor: NoNumbersAvailableError,
      });
      const [canadian] = await twilio.searchAvailable({ country: 'CA', areaCode: '604', limit: 1 });
      await expect(twilio.purchase({ phoneNumber: canadian!.phoneNumber })).rejects.toBeInstanceOf(
        AddressRequiredError,
      );
    });

    it('answers 21457 for AreaCode on a typed resource, in Twilio error format', async () => {
      const res = await fetch(
        `${sandbox.twilioBaseUrl}/2010-04-01/Accounts/${sandbox.twilioAccountSid}/IncomingPhoneNumbers/Local.json`,
        {
          method: 'POST',
          headers: {
            authorization: `Basic ${Buffer.from(`${sandbox.twilioAccountSid}:${sandbox.twilioAuthToken}`).toString('base64')}`,
            'content-type': 'application/x-www-form-urlencoded',
          },
          body: 'AreaCode=205&PhoneNumber=%2B12055550100',
        },
      );
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        code: 21457,
        message: 'AreaCode Parameter not Supported',
        more_info: 'https://www.twilio.com/docs/errors/21457',
        status: 400,
      });
    });

    it('maps 20404 to null on fetch and to OwnedNumberNotFoundError on update', async () => {
      const unknown = `PN${'0'.repeat(32)}`;
      expect(await twilio.fetch(unknown)).toBeNull();
      await expect(twilio.update(unknown, { friendlyName: 'x' })).rejects.toBeInstanceOf(
        OwnedNumberNotFoundError,
      );
    });

    it('maps 20003 to a non-retryable provider failure', async () => {
      const error = await adapter({ authToken: 'wrong' })
        .searchAvailable({ areaCode: '205' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProviderFailureError);
      expect(error).toMatchObject({ code: 'TELEPHONY.AUTHENTICATION_FAILED', retryable: false });
    });

    it('retries one 429 transparently and reports lasting 20429 as a retryable failure', async () => {
      await control.fault({
        provider: 'twilio',
        method: 'GET',
        path: 'AvailablePhoneNumbers',
        status: 429,
        times: 1,
      });
      await expect(twilio.searchAvailable({ areaCode: '205', limit: 1 })).resolves.toHaveLength(1);

      await control.fault({ provider: 'twilio', path: 'IncomingPhoneNumbers', status: 429 });
      await expect(twilio.purchase({ areaCode: '205' })).rejects.toMatchObject({
        code: 'TELEPHONY.RATE_LIMITED',
        retryable: true,
        details: expect.objectContaining({ twilioCode: 20429 }),
      });
    });

    it('reports 5xx, dropped connections and timeouts as retryable failures', async () => {
      await control.fault({ provider: 'twilio', status: 503, times: 1 });
      await expect(twilio.list()).rejects.toMatchObject({
        code: 'TELEPHONY.PROVIDER_ERROR',
        retryable: true,
      });

      await control.fault({ provider: 'twilio', drop: true, times: 1 });
      await expect(twilio.list()).rejects.toMatchObject({ code: 'TELEPHONY.UNREACHABLE', retryable: true });

      await control.fault({ provider: 'twilio', latencyMs: 1_000, times: 1 });
      await expect(adapter({ timeoutMs: 100 }).list()).rejects.toMatchObject({
        code: 'TELEPHONY.UNREACHABLE',
        retryable: true,
      });
    });

    it('maps other 4xx (a fault with Twilio code 21404) to a non-retryable rejection', async () => {
      await control.fault({
        provider: 'twilio',
        method: 'POST',
        status: 400,
        code: 21404,
        message: 'Trial accounts are allowed only one Twilio number.',
        times: 1,
      });
      await expect(twilio.purchase({ areaCode: '205' })).rejects.toMatchObject({
        code: 'TELEPHONY.REQUEST_REJECTED',
        retryable: false,
        details: expect.objectContaining({ twilioCode: 21404 }),
      });
    });
  });
});
