import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { TelephonyPort } from '../src/telephony/index.js';
import { VoiceAgentPort } from '../src/voice-agent/index.js';
import type { SandboxHandle } from '../src/sandbox/index.js';
import { liveProviderEnv, sandboxControl, startTestSandbox } from './support/sandbox.js';
import { createTestApp, type TestApp } from './support/test-app.js';

describe('the application in sandbox mode', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('starts the emulators in-process and points both adapters at them', async () => {
    expect(t.sandbox).toBeDefined();
    const sandbox = t.sandbox!;
    expect(t.config.providers.twilio).toMatchObject({
      apiBaseUrl: sandbox.twilioBaseUrl,
      accountSid: sandbox.twilioAccountSid,
      sipTrunkSid: sandbox.trunkSid,
    });
    expect(t.config.providers.vapi).toMatchObject({
      baseUrl: sandbox.vapiBaseUrl,
      byoCredentialId: sandbox.byoCredentialId,
    });
    await request(t.app.getHttpServer()).get('/health/ready').expect(200);

    const telephony = t.app.get(TelephonyPort);
    const voiceAgent = t.app.get(VoiceAgentPort);
    const bought = await telephony.purchase({ areaCode: t.config.numbers.defaultAreaCode });
    const registered = await voiceAgent.createPhoneNumber({
      number: bought.phoneNumber,
      server: { url: `${t.config.http.publicBaseUrl}/vapi/webhook`, headers: { 'x-vapi-secret': 'x' } },
    });
    expect(await voiceAgent.findPhoneNumberByNumber(bought.phoneNumber)).toEqual(registered);

    const state = await sandboxControl(sandbox).state();
    expect(state.twilio.incomingPhoneNumbers).toEqual([
      expect.objectContaining({ phone_number: bought.phoneNumber, voice_url: sandbox.vapiInboundUrl }),
    ]);
    expect(state.vapi.phoneNumbers).toEqual([expect.objectContaining({ id: registered.id })]);
  });
});

describe('the sandbox, safe by default', () => {
  const WEBHOOK_SECRET = 'webhook-secret-never-shown-by-the-sandbox-01';
  const TWILIO_TOKEN = 'twilio-token-never-shown-by-the-sandbox-0001';
  const VAPI_KEY = 'vapi-key-never-shown-by-the-sandbox-00000001';
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({
      env: {
        VAPI_WEBHOOK_SECRET: WEBHOOK_SECRET,
        SANDBOX_TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
        SANDBOX_VAPI_API_KEY: VAPI_KEY,
      },
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it('listens on the loopback interface unless told otherwise', () => {
    expect(t.config.providers.sandbox.host).toBe('127.0.0.1');
    expect(new URL(t.sandbox!.baseUrl).hostname).toBe('127.0.0.1');
  });

  it('shows neither the webhook secret nor the Twilio auth token in GET /state and GET /requests', async () => {
    const telephony = t.app.get(TelephonyPort);
    const voiceAgent = t.app.get(VoiceAgentPort);
    const bought = await telephony.purchase({ areaCode: '205' });
    // With VAPI_NUMBER_PROVIDER=twilio, the import carries our Twilio auth token to Vapi.
    await voiceAgent.createPhoneNumber({
      number: bought.phoneNumber,
      server: {
        url: 'https://numbers.example.test/api/vapi/webhook',
        headers: { 'x-vapi-secret': WEBHOOK_SECRET },
      },
    });
    const control = sandboxControl(t.sandbox!);
    const state = await control.state();
    const requests = await control.requests();
    for (const shown of [JSON.stringify(state), JSON.stringify(requests)]) {
      for (const secret of [WEBHOOK_SECRET, TWILIO_TOKEN, VAPI_KEY]) expect(shown).not.toContain(secret);
    }
    const vapiNumber = state.vapi.phoneNumbers[0];
    expect(vapiNumber.server).toEqual({
      url: 'https://numbers.example.test/api/vapi/webhook',
      headers: { 'x-vapi-secret': '[redacted]' },
    });
    expect(vapiNumber.twilioAuthToken).toBe('[redacted]');
    expect(vapiNumber.twilioAccountSid).toBe(t.sandbox!.twilioAccountSid);
    const imported = requests.find((r) => r.provider === 'vapi' && r.method === 'POST');
    expect(imported?.body).toMatchObject({ twilioAuthToken: '[redacted]', number: bought.phoneNumber });
    // Redacting what is shown changes nothing the emulators hold: the number still answers calls.
    expect(await voiceAgent.findPhoneNumberByNumber(bought.phoneNumber)).toMatchObject({
      number: bought.phoneNumber,
    });
  });

  it('matches fault paths as globs: a catastrophic regular expression neither freezes nor crashes the service', async () => {
    const control = sandboxControl(t.sandbox!);
    const twilioPath = `/twilio/${'a'.repeat(8_000)}!`; // a regular expression (a+)+$ would never finish on it
    // A regular expression is refused outright, so it never runs; as a glob, its text is only literal.
    for (const path of ['(a+)+$', '^(a|aa)+$', '/.*']) {
      const refused = await control.fault({ provider: 'twilio', path, status: 500 });
      expect([refused.status, refused.body.message]).toEqual([400, expect.stringContaining('is a glob')]);
    }
    for (const path of ['*(a+)+*', '*(a|aa)+*', `${'*a'.repeat(200)}*b`]) {
      expect((await control.fault({ provider: 'twilio', path, status: 500 })).status).toBe(201);
    }
    const started = performance.now();
    const res = await fetch(`${t.sandbox!.baseUrl}${twilioPath}`);
    const elapsedMs = performance.now() - started;
    expect(res.status).toBe(401); // no fault matched: the emulator's own answer (no credentials)
    expect(elapsedMs).toBeLessThan(1_000);
    await request(t.app.getHttpServer()).get('/health/live').expect(200);
    await control.clearFaults();
  });

  it('sets traffic per provider, or for both at once from the top, and refuses what is not a setting', async () => {
    const control = sandboxControl(t.sandbox!);
    const both = await control.traffic({ latencyMs: 7, vapi: { concurrencyLimit: 3 } });
    expect(both.status).toBe(200);
    expect(both.body).toMatchObject({
      twilio: { latencyMs: 7, concurrencyLimit: 0 },
      vapi: { latencyMs: 7, concurrencyLimit: 3 },
    });
    const own = await control.traffic({ latencyMs: 5, twilio: { latencyMs: 9 } });
    expect(own.body).toMatchObject({ twilio: { latencyMs: 9 }, vapi: { latencyMs: 5 } });
    for (const body of [
      { latency: 100 },
      { twilio: { delayMs: 1 } },
      { vapi: 5 },
      { latencyMs: -1 },
      { latencyMs: 1.5 },
    ]) {
      const refused = await control.traffic(body);
      expect([JSON.stringify(body), refused.status]).toEqual([JSON.stringify(body), 400]);
    }
    expect((await control.load()).twilio.latencyMs).toBe(9); // a refused request changed nothing
    await control.traffic({ latencyMs: 0, concurrencyLimit: 0 });
  });

  it("matches a glob against the provider's path: * stands for any characters, the rest is literal", async () => {
    const control = sandboxControl(t.sandbox!);
    await control.fault({ provider: 'twilio', path: '*/AvailablePhoneNumbers/*', status: 503, times: 1 });
    await control.fault({ provider: 'twilio', path: '/2010-04-01/Accounts/(.+)', status: 500 });
    const telephony = t.app.get(TelephonyPort);
    await expect(
      telephony.searchAvailable({ country: 'US', areaCode: '205', limit: 1 }),
    ).rejects.toMatchObject({
      retryable: true,
    });
    // '(.+)' is no wildcard: the second fault matches nothing, so the search works again.
    await expect(
      telephony.searchAvailable({ country: 'US', areaCode: '205', limit: 1 }),
    ).resolves.toHaveLength(1);
    const refused = await control.fault({ provider: 'twilio', path: 'x'.repeat(1_001), status: 500 });
    expect(refused.status).toBe(400);
    await control.clearFaults();
  });
});

describe('the application in live mode pointed at a sandbox run on its own', () => {
  let sandbox: SandboxHandle;
  let live: TestApp;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    live = await createTestApp({
      env: {
        ...liveProviderEnv(sandbox, {
          webhookSecret: 'live-webhook-secret-of-at-least-32-characters',
          jwtSecret: 'a-test-secret-of-at-least-32-characters',
        }),
        VAPI_NUMBER_PROVIDER: 'byo-phone-number',
        VAPI_BYO_CREDENTIAL_ID: sandbox.byoCredentialId,
        TWILIO_SIP_TRUNK_SID: sandbox.trunkSid,
      },
    });
  });
  afterAll(async () => {
    await live?.close();
    await sandbox?.stop();
  });

  it('starts no emulator of its own and works end to end against the given URLs', async () => {
    expect(live.sandbox).toBeUndefined();
    const telephony = live.app.get(TelephonyPort);
    const voiceAgent = live.app.get(VoiceAgentPort);
    const bought = await telephony.purchase({ areaCode: '205' });
    const trunked = await telephony.update(bought.sid, {
      trunkSid: live.config.providers.twilio.sipTrunkSid,
    });
    expect(trunked.trunkSid).toBe(sandbox.trunkSid);
    const registered = await voiceAgent.createPhoneNumber({
      number: bought.phoneNumber,
      server: {
        url: 'https://numbers.example.com/vapi/webhook',
        headers: { 'x-vapi-secret': 'live-secret' },
      },
    });
    expect(registered).toMatchObject({
      provider: 'byo-phone-number',
      credentialId: sandbox.byoCredentialId,
    });
  });
});
