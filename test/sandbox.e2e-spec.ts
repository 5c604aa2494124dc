import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { TelephonyPort } from '../src/telephony/index.js';
import { VoiceAgentPort } from '../src/voice-agent/index.js';
import type { SandboxHandle } from '../src/sandbox/index.js';
import { sandboxControl, startTestSandbox } from './support/sandbox.js';
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

describe('the application in live mode pointed at a sandbox run on its own', () => {
  let sandbox: SandboxHandle;
  let live: TestApp;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    live = await createTestApp({
      env: {
        PROVIDER_MODE: 'live',
        TWILIO_ACCOUNT_SID: sandbox.twilioAccountSid,
        TWILIO_AUTH_TOKEN: sandbox.twilioAuthToken,
        TWILIO_API_BASE_URL: sandbox.twilioBaseUrl,
        VAPI_API_KEY: sandbox.vapiApiKey,
        VAPI_BASE_URL: sandbox.vapiBaseUrl,
        VAPI_WEBHOOK_SECRET: 'live-webhook-secret-of-at-least-32-characters',
        PUBLIC_BASE_URL: 'https://numbers.example.test',
        AUTH_JWT_SECRET: 'a-test-secret-of-at-least-32-characters',
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
