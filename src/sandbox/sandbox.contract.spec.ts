import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import {
  sandboxControl,
  startTestSandbox,
  twilioAdapterFor,
  vapiAdapterFor,
} from '../../test/support/sandbox.js';
import type { TwilioTelephonyAdapter } from '../telephony/twilio/twilio-telephony.adapter.js';
import type { VapiVoiceAgentAdapter } from '../voice-agent/vapi/vapi-voice-agent.adapter.js';
import type { SandboxHandle } from './index.js';

/**
 * The emulators' responses, and the adapters' requests, checked against the official OpenAPI specs. The
 * specs live outside the repository (../shared/specs, or SPECS_DIR); without them these tests are skipped,
 * saying so.
 */
const SPECS = resolve(process.env.SPECS_DIR ?? resolve(process.cwd(), '../shared/specs'));
const TWILIO_SPEC = resolve(SPECS, 'twilio_api_v2010.json');
const VAPI_SPEC = resolve(SPECS, 'vapi_openapi.json');
const present = existsSync(TWILIO_SPEC) && existsSync(VAPI_SPEC);
if (!present) {
  process.stderr.write(`Skipping the sandbox contract tests: the official specs are not at ${SPECS}.\n`);
}

function validatorFor(specPath: string, name: string, patch: (spec: Json) => void = () => undefined) {
  const ajv = new Ajv({ strict: false, allErrors: true, discriminator: false, logger: false });
  addFormats.default(ajv);
  // Twilio's own formats; `uri` values are relative on the live API (`/2010-04-01/...`), as the SDK expects.
  ajv.addFormat('uri', /^(?:[a-z][a-z0-9+.-]*:|\/)\S*$/i);
  ajv.addFormat('date-time-rfc-2822', { validate: (v: string) => !Number.isNaN(Date.parse(v)) });
  // Twilio's `phone-number` covers E.164 and the formatted `friendly_name` of its own examples, "(808) 925-1571".
  ajv.addFormat('phone-number', /^[+\d() .-]{3,}$/);
  ajv.addFormat('http-method', /^(GET|POST|PUT|PATCH|DELETE|HEAD)$/);
  for (const f of ['phone-number-capabilities', 'float', 'double', 'int32', 'int64', 'uuid']) {
    if (!['uuid'].includes(f)) ajv.addFormat(f, true);
  }
  const spec = JSON.parse(readFileSync(specPath, 'utf8'));
  patch(spec);
  ajv.addSchema(spec, name);
  const compiled = new Map<string, ValidateFunction>();
  return (pointer: string): ValidateFunction => {
    if (!compiled.has(pointer)) compiled.set(pointer, ajv.compile({ $ref: `${name}#${pointer}` }));
    return compiled.get(pointer)!;
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON read back from the emulators
type Json = any;

const ptr = (...parts: string[]) =>
  `/${parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;
const expectValid = (validate: ValidateFunction, data: unknown) => {
  const ok = validate(data);
  expect(ok ? [] : validate.errors).toEqual([]);
};

(present ? describe : describe.skip)('sandbox contract against the official OpenAPI specs', () => {
  let sandbox: SandboxHandle;
  let control: ReturnType<typeof sandboxControl>;
  let twilio: TwilioTelephonyAdapter;
  let vapi: VapiVoiceAgentAdapter;
  let twilioSchema: ReturnType<typeof validatorFor>;
  let vapiSchema: ReturnType<typeof validatorFor>;

  const twilioGet = async (path: string) => {
    const res = await fetch(`${sandbox.twilioBaseUrl}${path}`, {
      headers: {
        authorization: `Basic ${Buffer.from(`${sandbox.twilioAccountSid}:${sandbox.twilioAuthToken}`).toString('base64')}`,
      },
    });
    return { status: res.status, body: (await res.json()) as Json };
  };
  const vapiCall = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${sandbox.vapiBaseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${sandbox.vapiApiKey}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Json };
  };

  beforeAll(async () => {
    twilioSchema = validatorFor(TWILIO_SPEC, 'twilio', (spec) => {
      // Known difference: the spec types latitude/longitude of search results as numbers, but its own
      // examples (and, reportedly, the live API) carry strings such as "19.720000". Accept both.
      for (const [name, schema] of Object.entries(spec.components.schemas as Record<string, Json>)) {
        if (!name.startsWith('api.v2010.account.available_phone_number_country.')) continue;
        for (const field of ['latitude', 'longitude']) {
          if (schema.properties?.[field]) schema.properties[field].type = ['number', 'string'];
        }
      }
    });
    vapiSchema = validatorFor(VAPI_SPEC, 'vapi', (spec) => {
      // A few schemas of the Vapi spec declare `enum: []`, which JSON Schema forbids; drop those keywords.
      const visit = (node: Json) => {
        if (!node || typeof node !== 'object') return;
        if (Array.isArray(node.enum) && node.enum.length === 0) delete node.enum;
        Object.values(node).forEach(visit);
      };
      visit(spec.components);
    });
    // Compiling the Vapi spec takes seconds of CPU: done before the sandbox opens any connection, so that it
    // cannot outlast the sandbox's keep-alive timeout between two requests (the next one then meets a closed
    // socket, ECONNRESET).
    const vapiResponse = (path: string) =>
      ptr('paths', path, 'get', 'responses', '200', 'content', 'application/json', 'schema');
    for (const pointer of [
      vapiResponse('/assistant/{id}'),
      vapiResponse('/phone-number'),
      vapiResponse('/v2/phone-number'),
      ...[
        'TwilioPhoneNumber',
        'ByoPhoneNumber',
        'CreateTwilioPhoneNumberDTO',
        'UpdateTwilioPhoneNumberDTO',
      ].map((name) => ptr('components', 'schemas', name)),
    ])
      vapiSchema(pointer);
    sandbox = await startTestSandbox();
    control = sandboxControl(sandbox);
    twilio = twilioAdapterFor(sandbox);
    vapi = vapiAdapterFor(sandbox);
  });
  afterAll(() => sandbox?.stop());

  describe('Twilio', () => {
    const account = '/2010-04-01/Accounts/{AccountSid}';
    const response = (path: string, method: string, status: string) =>
      ptr('paths', `${account}${path}`, method, 'responses', status, 'content', 'application/json', 'schema');

    it('search results match the spec, except the live capability casing SMS/MMS that the spec writes sms/mms', async () => {
      const { status, body } = await twilioGet(
        `/2010-04-01/Accounts/${sandbox.twilioAccountSid}/AvailablePhoneNumbers/US/Local.json?AreaCode=205&PageSize=5`,
      );
      expect(status).toBe(200);
      expectValid(
        twilioSchema(response('/AvailablePhoneNumbers/{CountryCode}/Local.json', 'get', '200')),
        body,
      );
      // The spec's capabilities object is lowercase and allows extra keys, so it cannot catch this: the live
      // API answers uppercase SMS/MMS here (https://github.com/twilio/twilio-node/issues/833), and the emulator
      // does too, on purpose.
      expect(Object.keys(body.available_phone_numbers[0].capabilities).sort()).toEqual([
        'MMS',
        'SMS',
        'fax',
        'voice',
      ]);
      // Latitude/longitude are strings, as in the spec's own example; the schema is relaxed for them above.

      // Canada's inventory, with the numbers of 514 that need a local address.
      const canada = await twilioGet(
        `/2010-04-01/Accounts/${sandbox.twilioAccountSid}/AvailablePhoneNumbers/CA/Local.json?AreaCode=514`,
      );
      expect(canada.status).toBe(200);
      expectValid(
        twilioSchema(response('/AvailablePhoneNumbers/{CountryCode}/Local.json', 'get', '200')),
        canada.body,
      );
      const requirements = canada.body.available_phone_numbers.map(
        (n: { iso_country: string; address_requirements: string }) => [n.iso_country, n.address_requirements],
      );
      expect(requirements).toContainEqual(['CA', 'local']);
      expect(requirements).toContainEqual(['CA', 'none']);
    });

    it('create, fetch, update and list responses match the spec; delete is 204', async () => {
      const bought = await twilio.purchase({ areaCode: '205', friendlyName: 'contract' });
      const created = await twilioGet(
        `/2010-04-01/Accounts/${sandbox.twilioAccountSid}/IncomingPhoneNumbers/${bought.sid}.json`,
      );
      expectValid(twilioSchema(response('/IncomingPhoneNumbers/{Sid}.json', 'get', '200')), created.body);
      await twilio.purchase({ areaCode: '212' });
      const list = await twilioGet(
        `/2010-04-01/Accounts/${sandbox.twilioAccountSid}/IncomingPhoneNumbers.json?PageSize=1`,
      );
      expectValid(twilioSchema(response('/IncomingPhoneNumbers.json', 'get', '200')), list.body);
      expect(list.body.next_page_uri).toMatch(
        /^\/2010-04-01\/Accounts\/AC\w+\/IncomingPhoneNumbers\.json\?.*PageToken=/,
      );

      const deleted = await fetch(
        `${sandbox.twilioBaseUrl}/2010-04-01/Accounts/${sandbox.twilioAccountSid}/IncomingPhoneNumbers/${bought.sid}.json`,
        {
          method: 'DELETE',
          headers: {
            authorization: `Basic ${Buffer.from(`${sandbox.twilioAccountSid}:${sandbox.twilioAuthToken}`).toString('base64')}`,
          },
        },
      );
      expect([deleted.status, await deleted.text()]).toEqual([204, '']);

      const missing = await twilioGet(
        `/2010-04-01/Accounts/${sandbox.twilioAccountSid}/IncomingPhoneNumbers/${bought.sid}.json`,
      );
      expect(missing).toEqual({
        status: 404,
        body: {
          code: 20404,
          message: `The requested resource /2010-04-01/Accounts/${sandbox.twilioAccountSid}/IncomingPhoneNumbers/${bought.sid}.json was not found`,
          more_info: 'https://www.twilio.com/docs/errors/20404',
          status: 404,
        },
      });
    });

    it("the adapter's requests use only the spec's parameters, with valid values", async () => {
      await control.reset();
      const [candidate] = await twilio.searchAvailable({
        country: 'US',
        areaCode: '205',
        contains: '205',
        limit: 3,
        smsEnabled: true,
      });
      const bought = await twilio.purchase({
        phoneNumber: candidate!.phoneNumber,
        friendlyName: 'contract',
        voiceUrl: 'https://example.com/v',
      });
      await twilio.update(bought.sid, {
        voiceFallbackUrl: 'https://example.com/f',
        trunkSid: sandbox.trunkSid,
        friendlyName: 'x',
      });
      await twilio.searchAvailable({ country: 'CA', areaCode: '514', excludeAddressRequired: true });
      const [search, create, update, canada] = (await control.requests()).filter(
        (r) => r.provider === 'twilio',
      );

      const spec = JSON.parse(readFileSync(TWILIO_SPEC, 'utf8'));
      const searchParams = spec.paths[
        `${account}/AvailablePhoneNumbers/{CountryCode}/Local.json`
      ].get.parameters
        .filter((p: { in: string }) => p.in === 'query')
        .map((p: { name: string }) => p.name);
      expect(searchParams).toEqual(expect.arrayContaining(Object.keys(search!.query)));
      expect(canada!.path).toBe(
        `/2010-04-01/Accounts/${sandbox.twilioAccountSid}/AvailablePhoneNumbers/CA/Local.json`,
      );
      expect(canada!.query).toMatchObject({
        AreaCode: '514',
        ExcludeAllAddressRequired: 'true',
        ExcludeLocalAddressRequired: 'true',
        ExcludeForeignAddressRequired: 'true',
      });
      expect(searchParams).toEqual(expect.arrayContaining(Object.keys(canada!.query)));

      const form = (path: string, method: string) =>
        ptr(
          'paths',
          `${account}${path}`,
          method,
          'requestBody',
          'content',
          'application/x-www-form-urlencoded',
          'schema',
        );
      const createSchema = twilioSchema(form('/IncomingPhoneNumbers.json', 'post'));
      expectValid(createSchema, create!.body);
      const updateSchema = twilioSchema(form('/IncomingPhoneNumbers/{Sid}.json', 'post'));
      expectValid(updateSchema, update!.body);
      // Every key the adapter sends is one the spec declares (the schemas allow extra keys, so check names).
      const declared = (path: string, method: string) =>
        Object.keys(
          spec.paths[`${account}${path}`][method].requestBody.content['application/x-www-form-urlencoded']
            .schema.properties,
        );
      expect(declared('/IncomingPhoneNumbers.json', 'post')).toEqual(
        expect.arrayContaining(Object.keys(create!.body as object)),
      );
      expect(declared('/IncomingPhoneNumbers/{Sid}.json', 'post')).toEqual(
        expect.arrayContaining(Object.keys(update!.body as object)),
      );
    });
    it('buys by AreaCode (a number for sale there, never one already owned) with TrunkSid set in the same call', async () => {
      await control.reset();
      const auth = `Basic ${Buffer.from(`${sandbox.twilioAccountSid}:${sandbox.twilioAuthToken}`).toString('base64')}`;
      const buy = async (form: Record<string, string>) => {
        const res = await fetch(
          `${sandbox.twilioBaseUrl}/2010-04-01/Accounts/${sandbox.twilioAccountSid}/IncomingPhoneNumbers.json`,
          {
            method: 'POST',
            headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams(form).toString(),
          },
        );
        return { status: res.status, body: (await res.json()) as Json };
      };
      const createSchema = twilioSchema(
        ptr(
          'paths',
          `${account}/IncomingPhoneNumbers.json`,
          'post',
          'requestBody',
          'content',
          'application/x-www-form-urlencoded',
          'schema',
        ),
      );
      const form = { AreaCode: '205', TrunkSid: sandbox.trunkSid, FriendlyName: 'by-area-code' };
      expectValid(createSchema, form); // AreaCode and TrunkSid are the spec's names
      const first = await buy(form);
      expect(first.status).toBe(201);
      expectValid(twilioSchema(response('/IncomingPhoneNumbers.json', 'post', '201')), first.body);
      expect(first.body).toMatchObject({ trunk_sid: sandbox.trunkSid, friendly_name: 'by-area-code' });
      expect(first.body.phone_number).toMatch(/^\+1205\d{7}$/);
      const second = await buy({ AreaCode: '205' });
      expect(second.status).toBe(201);
      expect(second.body.phone_number).not.toBe(first.body.phone_number);

      // An area code no search has reached yet has stock too; one of the documented empty ones has none.
      expect((await buy({ AreaCode: '303' })).body.phone_number).toMatch(/^\+1303/);
      expect(await buy({ AreaCode: '802' })).toEqual({
        status: 400,
        body: {
          code: 21452,
          message: 'No phone numbers found in area code 802.',
          more_info: 'https://www.twilio.com/docs/errors/21452',
          status: 400,
        },
      });
      expect((await buy({ AreaCode: '911' })).body.code).toBe(21451);
      expect((await buy({ AreaCode: '205', TrunkSid: `TK${'0'.repeat(32)}` })).body.code).toBe(20001);
    });

    it('by AreaCode, picks a number that needs an address only with an AddressSid, and runs out with 21452', async () => {
      await control.reset();
      const montreal = (await twilio.searchAvailable({ country: 'CA', areaCode: '514', limit: 50 })).map(
        (n) => [n.phoneNumber, n.addressRequirements],
      );
      expect(montreal).toHaveLength(8);
      const bought: string[] = [];
      for (let i = 0; i < 6; i++) bought.push((await twilio.purchase({ areaCode: '514' })).phoneNumber);
      expect(bought).toEqual(montreal.filter(([, r]) => r === 'none').map(([n]) => n));
      await expect(twilio.purchase({ areaCode: '514' })).rejects.toMatchObject({
        code: 'TELEPHONY.NONE_AVAILABLE',
      });
      const withAddress = await fetch(
        `${sandbox.twilioBaseUrl}/2010-04-01/Accounts/${sandbox.twilioAccountSid}/IncomingPhoneNumbers.json`,
        {
          method: 'POST',
          headers: {
            authorization: `Basic ${Buffer.from(`${sandbox.twilioAccountSid}:${sandbox.twilioAuthToken}`).toString('base64')}`,
            'content-type': 'application/x-www-form-urlencoded',
          },
          body: new URLSearchParams({ AreaCode: '514', AddressSid: `AD${'1'.repeat(32)}` }).toString(),
        },
      );
      expect(withAddress.status).toBe(201);
      expect(((await withAddress.json()) as Json).address_requirements).toBe('local');
    });
  });

  describe('Vapi', () => {
    const response = (path: string, method: string, status: string) =>
      ptr('paths', path, method, 'responses', status, 'content', 'application/json', 'schema');
    const schema = (name: string) => ptr('components', 'schemas', name);

    it('assistant, phone-number and list responses match the spec', async () => {
      await control.reset();
      const assistant = await vapiCall('GET', `/assistant/${sandbox.assistantIds[0]}`);
      expectValid(vapiSchema(response('/assistant/{id}', 'get', '200')), assistant.body);

      const bought = await twilio.purchase({ areaCode: '205' });
      const created = await vapiCall('POST', '/phone-number', {
        provider: 'twilio',
        number: bought.phoneNumber,
        twilioAccountSid: sandbox.twilioAccountSid,
        twilioAuthToken: sandbox.twilioAuthToken,
        name: 'contract',
        server: { url: 'https://example.com/hook', headers: { 'x-vapi-secret': 's' } },
      });
      expect(created.status).toBe(201);
      expectValid(vapiSchema(schema('TwilioPhoneNumber')), created.body);
      const byo = await vapiCall('POST', '/phone-number', {
        provider: 'byo-phone-number',
        credentialId: sandbox.byoCredentialId,
        number: '+12055550123',
      });
      expectValid(vapiSchema(schema('ByoPhoneNumber')), byo.body);

      const patched = await vapiCall('PATCH', `/phone-number/${created.body.id}`, {
        assistantId: sandbox.assistantIds[0],
      });
      expectValid(vapiSchema(schema('TwilioPhoneNumber')), patched.body);
      const list = await vapiCall('GET', '/phone-number');
      expect(list.body).toHaveLength(2);
      expectValid(vapiSchema(response('/phone-number', 'get', '200')), list.body);
      const paged = await vapiCall('GET', '/v2/phone-number?limit=1');
      expectValid(vapiSchema(response('/v2/phone-number', 'get', '200')), paged.body);
    });

    it('asks "is this number there already" with /v2/phone-number?search=, the only filter the spec has', async () => {
      await control.reset();
      const spec = JSON.parse(readFileSync(VAPI_SPEC, 'utf8'));
      const queryOf = (path: string) =>
        spec.paths[path].get.parameters.map((p: { name: string }) => p.name).sort();
      expect(queryOf('/phone-number')).not.toContain('number');
      expect(queryOf('/v2/phone-number')).toContain('search');

      const numbers: string[] = [];
      for (let i = 0; i < 3; i++) {
        const bought = await twilio.purchase({ areaCode: '205' });
        await vapi.createPhoneNumber({
          number: bought.phoneNumber,
          name: `line ${i}`,
          server: { url: 'https://example.com/hook', headers: {} },
        });
        numbers.push(bought.phoneNumber);
      }
      const found = await vapiCall(
        'GET',
        `/v2/phone-number?search=${encodeURIComponent(numbers[1]!)}&limit=10`,
      );
      expect(found.status).toBe(200);
      expectValid(vapiSchema(response('/v2/phone-number', 'get', '200')), found.body);
      expect(found.body.results.map((p: Json) => p.number)).toEqual([numbers[1]]);
      expect(found.body.metadata).toMatchObject({ totalItems: 1, currentPage: 1, itemsPerPage: 10 });
      // In part, whatever the case, on the name too; nothing for a number that is not there.
      expect((await vapiCall('GET', '/v2/phone-number?search=LINE')).body.metadata.totalItems).toBe(3);
      expect(
        (await vapiCall('GET', `/v2/phone-number?search=${numbers[2]!.slice(2)}`)).body.results,
      ).toHaveLength(1);
      expect((await vapiCall('GET', '/v2/phone-number?search=%2B19995550100')).body.results).toEqual([]);

      // What the spec does not declare is refused, as Vapi's validation pipe does, rather than silently ignored.
      expect(await vapiCall('GET', `/phone-number?number=${encodeURIComponent(numbers[0]!)}`)).toEqual({
        status: 400,
        body: { message: ['property number should not exist'], error: 'Bad Request', statusCode: 400 },
      });
      expect((await vapiCall('GET', `/v2/phone-number?search=${'x'.repeat(101)}`)).status).toBe(400);
      expect((await vapiCall('GET', '/v2/phone-number?sortOrder=UP')).status).toBe(400);
    });

    it("the adapter's create and update bodies match the spec's DTOs", async () => {
      await control.reset();
      const bought = await twilio.purchase({ areaCode: '205' });
      const created = await vapi.createPhoneNumber({
        number: bought.phoneNumber,
        name: 'contract',
        server: { url: 'https://example.com/hook', headers: { 'x-vapi-secret': 's' } },
      });
      await vapi.updatePhoneNumber(created.id, { assistantId: sandbox.assistantIds[0], name: 'renamed' });
      const [create, update] = (await control.requests()).filter(
        (r) => r.provider === 'vapi' && r.method !== 'GET',
      );
      expectValid(vapiSchema(schema('CreateTwilioPhoneNumberDTO')), create!.body);
      expectValid(vapiSchema(schema('UpdateTwilioPhoneNumberDTO')), update!.body);
    });
  });
});
