import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { PhoneNumberResponse } from '../src/numbers/phone-number.response.js';
import {
  FAST_PROVISIONING_ENV,
  OFFERED_NUMBER_FIELDS,
  tenantWithProject,
  type TenantProject,
} from './support/numbers.js';
import { sandboxControl } from './support/sandbox.js';
import { createTestApp, type TestApp } from './support/test-app.js';

interface Offered {
  e164: string;
  region: string;
  country: string;
  addressRequired: boolean;
}

interface ForSale {
  phoneNumber: string;
  isoCountry: string;
  areaCode: string;
  addressRequirements: string;
}

describe('Canadian area codes over HTTP, against the sandbox', () => {
  let t: TestApp;
  let control: ReturnType<typeof sandboxControl>;
  let p: TenantProject;
  const http = () => request(t.app.getHttpServer());
  const search = async (query: string): Promise<Offered[]> =>
    (await http().get(`/api/numbers?${query}`).set('Authorization', p.auth).expect(200)).body.numbers;
  const buy = (body: Record<string, string>) =>
    http()
      .post('/api/numbers')
      .set('Authorization', p.auth)
      .send({ projectId: p.projectId, agentId: p.agentId, ...body });
  const state = () => control.state();
  const forSale = async (areaCode: string): Promise<ForSale[]> =>
    ((await state()).twilio.available as ForSale[]).filter((n) => n.areaCode === areaCode);

  beforeAll(async () => {
    t = await createTestApp({ env: FAST_PROVISIONING_ENV });
    control = sandboxControl(t.sandbox!);
    p = await tenantWithProject(t, 'canada-tenant');
  });
  afterAll(async () => {
    await t.close();
  });
  // The tests run in order on one sandbox, without resets (a number we hold stays ours): the last one sells 514 out.

  it.each([
    ['416', 'ON'],
    ['604', 'BC'],
    ['514', 'QC'],
  ])(
    'searches %s in Canada: every number the sandbox stocks there, flagged when it needs an address',
    async (areaCode, region) => {
      const res = await http()
        .get(`/api/numbers?areaCode=${areaCode}&limit=50`)
        .set('Authorization', p.auth)
        .expect(200);
      expect(res.body.areaCode).toBe(areaCode);
      const stock = await forSale(areaCode);
      expect(stock.every((n) => n.isoCountry === 'CA')).toBe(true);
      expect(res.body.numbers.map((n: Offered) => [n.e164, n.addressRequired])).toEqual(
        stock.map((n) => [n.phoneNumber, n.addressRequirements !== 'none']),
      );
      for (const n of res.body.numbers) {
        expect(n).toMatchObject({ region, country: 'CA' });
        expect(Object.keys(n).sort()).toEqual(OFFERED_NUMBER_FIELDS);
      }
    },
  );

  it('shows the two numbers of 514 and of 416 that need a local address as addressRequired, and those of 604 as not', async () => {
    const montreal = await search('areaCode=514&limit=50');
    expect(montreal.filter((n) => n.addressRequired)).toHaveLength(2);
    expect(montreal.filter((n) => !n.addressRequired)).toHaveLength(6);
    const toronto = await search('areaCode=416&limit=50');
    expect(toronto.filter((n) => n.addressRequired)).toHaveLength(2);
    expect(toronto.filter((n) => !n.addressRequired)).toHaveLength(10);
    expect((await search('areaCode=604&limit=50')).some((n) => n.addressRequired)).toBe(false);
  });

  it('searches a province in Canada (region=ON, QC, BC), and a state in the US', async () => {
    for (const [region, areaCode] of [
      ['ON', '416'],
      ['QC', '514'],
      ['BC', '604'],
    ]) {
      // Every area code of the province has numbers for sale (its seeded one among them).
      const found = await search(`region=${region}&limit=50`);
      expect(found.length).toBe(50);
      for (const n of found) expect(n).toMatchObject({ region, country: 'CA' });
      expect(found.some((n) => n.e164.startsWith(`+1${areaCode}`))).toBe(true);
    }
    const ontario = await http().get('/api/numbers?region=ON').set('Authorization', p.auth).expect(200);
    expect(ontario.body.areaCode).toBeNull();
    const alabama = await search('region=AL&limit=50');
    expect(alabama.length).toBeGreaterThan(0);
    expect(alabama.every((n) => n.region === 'AL' && n.country === 'US')).toBe(true);
    // The area code decides the country: a province with a US area code finds nothing, and no error.
    expect(await search('areaCode=212&region=ON')).toEqual([]);
  });

  it.each(['416', '604', '514'])(
    'buys the first available number of %s in one click and makes it live',
    async (areaCode) => {
      const res = await buy({ areaCode }).expect(201);
      const n: PhoneNumberResponse = res.body.phoneNumber;
      expect(n.status).toBe('active');
      expect(n.e164).toMatch(new RegExp(`^\\+1${areaCode}\\d{7}$`));
      const s = await state();
      const owned = s.twilio.incomingPhoneNumbers.find((x: { sid: string }) => x.sid === n.twilioSid);
      expect(owned).toMatchObject({ phone_number: n.e164, address_requirements: 'none' });
      expect(s.vapi.phoneNumbers.find((v: { id: string }) => v.id === n.vapiNumberId)).toMatchObject({
        number: n.e164,
        assistantId: p.assistantId,
      });
    },
  );

  it('suggests numbers of the same province, never one that needs an address, when a Canadian area code has none', async () => {
    const ontario = await buy({ areaCode: '647' }).expect(409);
    expect(ontario.body.code).toBe('NUMBERS.NONE_AVAILABLE');
    expect(ontario.body.suggestions.length).toBeGreaterThan(0);
    // Ontario's other area codes (647 is a sold-out overlay). Among the first numbers Ontario offers are 416's that
    // need an address: a suggestion is never one of them.
    const needAddress = (await search('region=ON&limit=50'))
      .filter((n) => n.addressRequired)
      .map((n) => n.e164);
    expect(needAddress.length).toBeGreaterThan(0);
    for (const s of ontario.body.suggestions) {
      expect(s.region).toBe('ON');
      expect(s.e164.startsWith('+1647')).toBe(false);
      expect(needAddress).not.toContain(s.e164);
    }
  });

  it('refuses a number that needs an address with 422 NUMBERS.ADDRESS_REQUIRED, and leaves nothing half-written', async () => {
    const wanted = (await search('areaCode=514&limit=50')).find((n) => n.addressRequired)!.e164;
    const before = await state();

    const res = await buy({ number: wanted }).expect(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 422, code: 'NUMBERS.ADDRESS_REQUIRED', e164: wanted });
    const numberId = res.body.numberId as string;
    expect(numberId).toEqual(expect.any(String));

    // The refused purchase leaves no number in the project's list; its record says why, holding nothing.
    const list = await http()
      .get(`/api/projects/${p.projectId}/numbers`)
      .set('Authorization', p.auth)
      .expect(200);
    expect(list.body.items.map((n: PhoneNumberResponse) => n.id)).not.toContain(numberId);
    const attempt = (await http().get(`/api/numbers/${numberId}`).set('Authorization', p.auth).expect(200))
      .body as PhoneNumberResponse;
    expect(attempt).toMatchObject({ status: 'refused', e164: null, twilioSid: null, vapiNumberId: null });
    expect(attempt.steps.purchase).toMatchObject({ status: 'failed', attempts: 1 });
    expect(attempt.steps.purchase.lastError!.code).toBe('NUMBERS.ADDRESS_REQUIRED');
    expect(attempt.steps.register.status).toBe('pending');
    const after = await state();
    expect(after.twilio.incomingPhoneNumbers).toEqual(before.twilio.incomingPhoneNumbers);
    expect(after.vapi.phoneNumbers).toEqual(before.vapi.phoneNumbers);
    expect(after.twilio.available.map((n: ForSale) => n.phoneNumber)).toContain(wanted);

    // Asking again is refused the same way (a replay of one click too), and a number of 514 that needs none is
    // still bought.
    expect((await buy({ number: wanted }).expect(422)).body.code).toBe('NUMBERS.ADDRESS_REQUIRED');
    const click = () => buy({ number: wanted }).set('Idempotency-Key', 'canada-address-1').expect(422);
    const first = (await click()).body;
    expect((await click()).body).toMatchObject({
      code: 'NUMBERS.ADDRESS_REQUIRED',
      numberId: first.numberId,
    });
    const free = (await search('areaCode=514&limit=50')).find((n) => !n.addressRequired)!.e164;
    expect((await buy({ number: free }).expect(201)).body.phoneNumber.e164).toBe(free);
  });
  it('never picks a number of 514 that needs an address: once the others are sold, one click has nothing to buy', async () => {
    const ownedBefore = (await state()).twilio.incomingPhoneNumbers.map(
      (x: { phone_number: string }) => x.phone_number,
    );
    const bought: string[] = [];
    while ((await search('areaCode=514&limit=50')).some((n) => !n.addressRequired)) {
      bought.push((await buy({ areaCode: '514' }).expect(201)).body.phoneNumber.e164);
      expect(bought.length).toBeLessThanOrEqual(6);
    }
    const left = await search('areaCode=514&limit=50');
    expect(left).toHaveLength(2);
    expect(left.every((n) => n.addressRequired)).toBe(true);
    expect(bought).toEqual(expect.not.arrayContaining(left.map((n) => n.e164)));

    const none = await buy({ areaCode: '514' }).expect(409);
    expect(none.body.code).toBe('NUMBERS.NONE_AVAILABLE');
    // Quebec's other area codes have numbers for sale that need no address.
    expect(none.body.suggestions.length).toBeGreaterThan(0);
    for (const s of none.body.suggestions) {
      expect(s.region).toBe('QC');
      expect(s.e164.startsWith('+1514')).toBe(false);
    }
    const owned = (await state()).twilio.incomingPhoneNumbers.map(
      (x: { phone_number: string }) => x.phone_number,
    );
    expect(owned.sort()).toEqual([...ownedBefore, ...bought].sort());
  });
});
