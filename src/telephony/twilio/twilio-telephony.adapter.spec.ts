import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
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

  const adapter = (overrides: Parameters<typeof twilioAdapterFor>[1] = {}) =>
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
      const found = await twilio.searchAvailable({ country: 'US', areaCode: '205', limit: 30 });
      expect(found).toHaveLength(30);
      expect(found.every((n) => n.phoneNumber.startsWith('+1205') && n.region === 'AL')).toBe(true);
      // The emulator answers { voice, SMS, MMS } like the live API; the adapter reads both casings.
      expect(found.some((n) => n.capabilities.sms)).toBe(true);
      expect(found.some((n) => !n.capabilities.sms)).toBe(true);
      expect(found.every((n) => n.capabilities.voice)).toBe(true);
    });

    it('honours Contains with wildcards, region, toll-free and address filters, and finds none where there is no stock', async () => {
      const [first] = await twilio.searchAvailable({ country: 'US', areaCode: '415', limit: 1 });
      const lastFour = first!.phoneNumber.slice(-4);
      const byEnding = await twilio.searchAvailable({ country: 'US', contains: `${lastFour}$` });
      expect(byEnding.map((n) => n.phoneNumber)).toContain(first!.phoneNumber);
      expect(byEnding.every((n) => n.phoneNumber.endsWith(lastFour))).toBe(true);

      const anchored = await twilio.searchAvailable({ country: 'US', contains: '+1512***', limit: 100 });
      expect(anchored.length).toBeGreaterThanOrEqual(50);
      expect(anchored.every((n) => n.phoneNumber.startsWith('+1512'))).toBe(true);

      const texas = await twilio.searchAvailable({ country: 'US', region: 'TX', limit: 100 });
      expect(texas.every((n) => n.region === 'TX')).toBe(true);

      const tollFree = await twilio.searchAvailable({ country: 'US', tollFree: true, areaCode: '888' });
      expect(tollFree.length).toBeGreaterThan(0);
      expect(tollFree.every((n) => n.phoneNumber.startsWith('+1888') && n.region === null)).toBe(true);

      const all205 = await twilio.searchAvailable({ country: 'US', areaCode: '205', limit: 100 });
      expect(all205.some((n) => n.addressRequirements === 'local')).toBe(true);
      const free205 = await twilio.searchAvailable({
        country: 'US',
        areaCode: '205',
        limit: 100,
        excludeAddressRequired: true,
      });
      expect(free205.length).toBeGreaterThan(0);
      expect(free205.every((n) => n.addressRequirements === 'none')).toBe(true);
      expect(free205.length).toBe(all205.filter((n) => n.addressRequirements === 'none').length);

      await expect(twilio.searchAvailable({ country: 'US', areaCode: '907' })).resolves.toEqual([]);
    });

    it("searches Canada's inventory (CA): 416, 604 and 514 are there, and not in the US one", async () => {
      for (const [areaCode, region] of [
        ['416', 'ON'],
        ['604', 'BC'],
        ['514', 'QC'],
      ] as const) {
        const found = await twilio.searchAvailable({ country: 'CA', areaCode, limit: 50 });
        expect(found.length).toBeGreaterThan(0);
        for (const n of found) {
          expect(n).toMatchObject({ isoCountry: 'CA', region });
          expect(n.phoneNumber.startsWith(`+1${areaCode}`)).toBe(true);
        }
        await expect(twilio.searchAvailable({ country: 'US', areaCode })).resolves.toEqual([]);
      }
      const ontario = await twilio.searchAvailable({ country: 'CA', region: 'ON', limit: 50 });
      expect(ontario.length).toBeGreaterThan(0);
      expect(ontario.every((n) => n.region === 'ON' && n.isoCountry === 'CA')).toBe(true);
      await expect(twilio.searchAvailable({ country: 'US', region: 'ON' })).resolves.toEqual([]);
    });

    it("reads each result's AddressRequirements: every 4th number of 514 needs a local address, 416's 2nd and 8th, 604 none", async () => {
      const montreal = await twilio.searchAvailable({ country: 'CA', areaCode: '514', limit: 50 });
      expect(montreal.map((n) => n.addressRequirements)).toEqual([
        'none',
        'none',
        'none',
        'local',
        'none',
        'none',
        'none',
        'local',
      ]);
      const withoutAddress = await twilio.searchAvailable({
        country: 'CA',
        areaCode: '514',
        limit: 50,
        excludeAddressRequired: true,
      });
      expect(withoutAddress.map((n) => n.phoneNumber)).toEqual(
        montreal.filter((n) => n.addressRequirements === 'none').map((n) => n.phoneNumber),
      );
      const toronto = await twilio.searchAvailable({ country: 'CA', areaCode: '416', limit: 50 });
      expect(toronto.map((n, i) => [i, n.addressRequirements]).filter(([, r]) => r !== 'none')).toEqual([
        [1, 'local'],
        [7, 'local'],
      ]);
      const vancouver = await twilio.searchAvailable({ country: 'CA', areaCode: '604', limit: 50 });
      expect(vancouver.every((n) => n.addressRequirements === 'none')).toBe(true);
    });

    it('turns an invalid area code into InvalidAreaCodeError', async () => {
      await expect(twilio.searchAvailable({ country: 'US', areaCode: '911' })).rejects.toBeInstanceOf(
        InvalidAreaCodeError,
      );
    });
  });

  describe('the purchase lifecycle', () => {
    it('searches, buys, fetches, finds, updates and releases a number', async () => {
      const [candidate] = await twilio.searchAvailable({ country: 'US', areaCode: '205', limit: 1 });
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
      const again = await twilio.searchAvailable({
        country: 'US',
        contains: `+${candidate!.phoneNumber.slice(1)}`,
      });
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
      // Or a page at a time, never more than one held.
      const pages: string[][] = [];
      for await (const page of twilio.pages({ pageSize: 2 })) pages.push(page.map((n) => n.sid));
      expect(pages.map((page) => page.length)).toEqual([2, 2, 1]);
      expect(pages.flat()).toEqual(bought.map((n) => n.sid));
    });

    it('treats buying a number the account already owns as an update (201), like live Twilio', async () => {
      const first = await twilio.purchase({ areaCode: '205' });
      const second = await twilio.purchase({ phoneNumber: first.phoneNumber, friendlyName: 'retried' });
      expect(second.sid).toBe(first.sid);
      expect(second.friendlyName).toBe('retried');
    });

    it('buys Canadian numbers that need no address, by number and by area code', async () => {
      const [toronto] = await twilio.searchAvailable({ country: 'CA', areaCode: '416', limit: 1 });
      const bought = await twilio.purchase({ phoneNumber: toronto!.phoneNumber, friendlyName: 'toronto' });
      expect(bought).toMatchObject({ phoneNumber: toronto!.phoneNumber, friendlyName: 'toronto' });
      // Twilio's AreaCode purchase takes US and Canadian area codes alike, and picks one needing no address.
      const vancouver = await twilio.purchase({ areaCode: '604' });
      expect(vancouver.phoneNumber).toMatch(/^\+1604\d{7}$/);
      const montreal = await twilio.purchase({ areaCode: '514' });
      const state = (await control.state()).twilio.incomingPhoneNumbers as {
        phone_number: string;
        address_requirements: string;
      }[];
      expect(state.find((n) => n.phone_number === montreal.phoneNumber)?.address_requirements).toBe('none');
    });
  });

  describe('errors arrive as domain errors', () => {
    it('maps 21422, 21421, 21451, 21452 and 21631', async () => {
      // Not in the inventory: sold to someone else, or never Twilio's.
      await expect(twilio.purchase({ phoneNumber: '+12059990000' })).rejects.toMatchObject({
        code: 'TELEPHONY.NUMBER_UNAVAILABLE',
        constructor: NumberUnavailableError,
      });
      await expect(twilio.purchase({ phoneNumber: '+1205' })).rejects.toMatchObject({
        code: 'TELEPHONY.INVALID_NUMBER',
        constructor: InvalidPhoneNumberError,
      });
      await expect(twilio.purchase({ areaCode: '123' })).rejects.toMatchObject({
        code: 'TELEPHONY.INVALID_AREA_CODE',
        constructor: InvalidAreaCodeError,
      });
      await expect(twilio.purchase({ areaCode: '907' })).rejects.toMatchObject({
        code: 'TELEPHONY.NONE_AVAILABLE',
        constructor: NoNumbersAvailableError,
      });
      const montreal = await twilio.searchAvailable({ country: 'CA', areaCode: '514', limit: 50 });
      const needsAddress = montreal.find((n) => n.addressRequirements === 'local')!.phoneNumber;
      await expect(twilio.purchase({ phoneNumber: needsAddress })).rejects.toMatchObject({
        code: 'TELEPHONY.ADDRESS_REQUIRED',
        constructor: AddressRequiredError,
        details: expect.objectContaining({ phoneNumber: needsAddress }),
      });
      // Refused, not sold: it stays for sale and the account owns nothing.
      const again = await twilio.searchAvailable({ country: 'CA', contains: `+${needsAddress.slice(1)}` });
      expect(again.map((n) => n.phoneNumber)).toEqual([needsAddress]);
      await expect(twilio.list()).resolves.toEqual([]);
    });

    it('answers 21457 for AreaCode on a typed resource, and 21631 for a number needing an address, in Twilio error format', async () => {
      const post = async (path: string, body: string) => {
        const res = await fetch(
          `${sandbox.twilioBaseUrl}/2010-04-01/Accounts/${sandbox.twilioAccountSid}/${path}`,
          {
            method: 'POST',
            headers: {
              authorization: `Basic ${Buffer.from(`${sandbox.twilioAccountSid}:${sandbox.twilioAuthToken}`).toString('base64')}`,
              'content-type': 'application/x-www-form-urlencoded',
            },
            body,
          },
        );
        return { status: res.status, body: await res.json() };
      };
      expect(
        await post('IncomingPhoneNumbers/Local.json', 'AreaCode=205&PhoneNumber=%2B12055550100'),
      ).toEqual({
        status: 400,
        body: {
          code: 21457,
          message: 'AreaCode Parameter not Supported',
          more_info: 'https://www.twilio.com/docs/errors/21457',
          status: 400,
        },
      });

      const montreal = await twilio.searchAvailable({ country: 'CA', areaCode: '514', limit: 50 });
      const needsAddress = montreal.find((n) => n.addressRequirements === 'local')!.phoneNumber;
      const refused = await post(
        'IncomingPhoneNumbers.json',
        `PhoneNumber=${encodeURIComponent(needsAddress)}`,
      );
      expect(refused).toEqual({
        status: 400,
        body: {
          code: 21631,
          message: expect.stringContaining('Phone Number Requires an Address'),
          more_info: 'https://www.twilio.com/docs/errors/21631',
          status: 400,
        },
      });
      // With an Address on file (an `AD...` sid), Twilio sells it.
      const sold = await post(
        'IncomingPhoneNumbers.json',
        `PhoneNumber=${encodeURIComponent(needsAddress)}&AddressSid=AD${'1'.repeat(32)}`,
      );
      expect(sold.status).toBe(201);
      expect(sold.body).toMatchObject({ phone_number: needsAddress, address_requirements: 'local' });
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
        .searchAvailable({ country: 'US', areaCode: '205' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProviderFailureError);
      expect(error).toMatchObject({ code: 'TELEPHONY.AUTHENTICATION_FAILED', retryable: false });
    });

    it('retries 429s within the call and reports 20429 lasting past the request timeout as a retryable failure', async () => {
      await control.fault({
        provider: 'twilio',
        method: 'GET',
        path: '*AvailablePhoneNumbers*',
        status: 429,
        times: 3,
      });
      await expect(
        twilio.searchAvailable({ country: 'US', areaCode: '205', limit: 1 }),
      ).resolves.toHaveLength(1);

      await control.fault({ provider: 'twilio', path: '*IncomingPhoneNumbers*', status: 429 });
      const started = Date.now();
      await expect(adapter({ timeoutMs: 800 }).purchase({ areaCode: '205' })).rejects.toMatchObject({
        code: 'TELEPHONY.RATE_LIMITED',
        retryable: true,
        details: { provider: 'twilio' },
        diagnostics: expect.objectContaining({ twilioCode: 20429 }),
      });
      // It backed off (more than one try) and gave up within about the request's timeout.
      const lasting = (await control.faults()).find((f) => f.status === 429);
      expect(lasting?.hits).toBeGreaterThan(1);
      expect(Date.now() - started).toBeLessThan(5_000);
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
        details: { provider: 'twilio' },
        diagnostics: expect.objectContaining({
          twilioCode: 21404,
          providerMessage: 'Trial accounts are allowed only one Twilio number.',
        }),
      });
    });
  });

  describe('concurrency (TWILIO_MAX_CONCURRENCY) and the account limit', () => {
    const burst = (client: TwilioTelephonyAdapter, n: number) =>
      Promise.all(Array.from({ length: n }, () => client.purchase({ areaCode: '205' })));
    afterEach(() => control.traffic({ twilio: { latencyMs: 0, concurrencyLimit: 0 } }));

    it('never has more requests in flight than its limit, queueing the others', async () => {
      await control.traffic({ twilio: { latencyMs: 40 } });
      const bought = await burst(adapter({ maxConcurrency: 3 }), 15);
      expect(new Set(bought.map((n) => n.phoneNumber)).size).toBe(15);
      const { twilio: load } = await control.load();
      expect(load).toMatchObject({ peakInFlight: 3, rejected: 0, received: 15 });
    });

    it('under an account limit below its own, backs off on 429 and completes every call, each bought once', async () => {
      await control.traffic({ twilio: { latencyMs: 40, concurrencyLimit: 3 } });
      const before = (await control.requests()).length;
      const bought = await burst(adapter({ maxConcurrency: 8 }), 16);
      expect(new Set(bought.map((n) => n.phoneNumber)).size).toBe(16);
      const { twilio: load } = await control.load();
      expect(load.rejected).toBeGreaterThan(0);
      // A request answered 429 is not processed: 16 purchases reached the emulator, no more.
      const purchases = (await control.requests())
        .slice(before)
        .filter((r) => r.method === 'POST' && r.path.endsWith('/IncomingPhoneNumbers.json'));
      expect(purchases).toHaveLength(16);
      expect((await control.state()).twilio.incomingPhoneNumbers).toHaveLength(16);
    });
  });
});
