import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  sandboxControl,
  startTestSandbox,
  twilioAdapterFor,
  vapiAdapterFor,
} from '../../../test/support/sandbox.js';
import type { VapiConfig } from '../../config/index.js';
import type { SandboxHandle } from '../../sandbox/index.js';
import type { TwilioTelephonyAdapter } from '../../telephony/twilio/twilio-telephony.adapter.js';
import { VapiPhoneNumberNotFoundError } from '../voice-agent.errors.js';

describe('VapiVoiceAgentAdapter against the sandbox', () => {
  let sandbox: SandboxHandle;
  let control: ReturnType<typeof sandboxControl>;
  let twilio: TwilioTelephonyAdapter;

  const vapi = (overrides: Partial<VapiConfig> = {}) => vapiAdapterFor(sandbox, overrides);
  const server = (url = 'https://numbers.example.com/vapi/webhook') => ({
    url,
    headers: { 'x-vapi-secret': 'webhook-secret' },
  });

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    control = sandboxControl(sandbox);
    twilio = twilioAdapterFor(sandbox);
  });
  afterAll(() => sandbox.stop());
  beforeEach(async () => {
    await control.reset();
  });

  describe('assistants', () => {
    it('gets a seeded assistant, lists them, and answers null for unknown or malformed ids', async () => {
      const adapter = vapi();
      const assistants = await adapter.listAssistants();
      expect(assistants.map((a) => a.id)).toEqual(sandbox.assistantIds);
      expect(await adapter.getAssistant(sandbox.assistantIds[0]!)).toEqual(assistants[0]);
      expect(await adapter.getAssistant('00000000-0000-4000-8000-000000000000')).toBeNull();
      expect(await adapter.getAssistant('not-a-uuid')).toBeNull();

      const added = await control.addAssistant({ name: 'Night shift' });
      expect(added.status).toBe(201);
      expect(await adapter.getAssistant(added.body.id)).toEqual({ id: added.body.id, name: 'Night shift' });
    });

    it('adds assistants beside the seeded ones, never in their place', async () => {
      const before = await vapi().listAssistants();
      const first = await control.addAssistant({ name: 'Weekend line' });
      const second = await control.addAssistant({ name: 'Holiday line' });

      const after = await vapi().listAssistants();
      expect(after).toHaveLength(before.length + 2);
      expect(after).toEqual(expect.arrayContaining(before));
      expect(sandbox.assistantIds).not.toContain(first.body.id);
      expect(sandbox.assistantIds).not.toContain(second.body.id);
      expect(first.body.id).not.toBe(second.body.id);
    });
  });

  describe('phone numbers imported from Twilio', () => {
    it('creates, gets, finds, updates, lists and deletes, and Vapi points the Twilio number at itself', async () => {
      const adapter = vapi();
      const bought = await twilio.purchase({ areaCode: '205' });
      const created = await adapter.createPhoneNumber({
        number: bought.phoneNumber,
        name: 'project-42',
        server: server(),
      });
      expect(created).toMatchObject({
        provider: 'twilio',
        number: bought.phoneNumber,
        name: 'project-42',
        status: 'active',
        assistantId: null,
        twilioAccountSid: sandbox.twilioAccountSid,
        server: server(),
      });
      expect(JSON.stringify(created)).not.toContain(sandbox.twilioAuthToken);

      // Like real Vapi, the import set the Twilio number's voice URL to Vapi's inbound endpoint.
      expect((await twilio.fetch(bought.sid))!.voiceUrl).toBe(sandbox.vapiInboundUrl);

      expect(await adapter.getPhoneNumber(created.id)).toEqual(created);
      expect(await adapter.findPhoneNumberByNumber(bought.phoneNumber)).toEqual(created);
      expect(await adapter.findPhoneNumberByNumber('+12055550000')).toBeNull();

      const attached = await adapter.updatePhoneNumber(created.id, { assistantId: sandbox.assistantIds[1] });
      expect(attached.assistantId).toBe(sandbox.assistantIds[1]);
      const detached = await adapter.updatePhoneNumber(created.id, { assistantId: null });
      expect(detached.assistantId).toBeNull();

      expect((await adapter.listPhoneNumbers()).map((p) => p.id)).toEqual([created.id]);
      expect(await adapter.deletePhoneNumber(created.id)).toBe(true);
      expect(await adapter.getPhoneNumber(created.id)).toBeNull();
      expect(await adapter.deletePhoneNumber(created.id)).toBe(false);
      await expect(adapter.updatePhoneNumber(created.id, { name: 'x' })).rejects.toBeInstanceOf(
        VapiPhoneNumberNotFoundError,
      );
    });

    it('walks the organization a page at a time, oldest first', async () => {
      const adapter = vapi();
      const created = [];
      for (let i = 0; i < 3; i++) {
        const bought = await twilio.purchase({ areaCode: '212' });
        created.push(await adapter.createPhoneNumber({ number: bought.phoneNumber, server: server() }));
      }
      const pages: string[][] = [];
      for await (const page of adapter.phoneNumberPages({ pageSize: 2 })) pages.push(page.map((p) => p.id));
      expect(pages.map((page) => page.length)).toEqual([2, 1]);
      expect(pages.flat()).toEqual(created.map((p) => p.id));
      for (const p of created) await adapter.deletePhoneNumber(p.id);
    });

    it('rejects a number the Twilio account does not own as a non-retryable failure', async () => {
      await expect(
        vapi().createPhoneNumber({ number: '+12055550123', server: server() }),
      ).rejects.toMatchObject({
        code: 'VOICE_AGENT.REQUEST_REJECTED',
        retryable: false,
      });
    });
  });

  describe('BYO phone numbers on the SIP trunk credential', () => {
    it('creates a byo-phone-number with the configured credential', async () => {
      const created = await vapi({ numberProvider: 'byo-phone-number' }).createPhoneNumber({
        number: '+12055550123',
        server: server(),
      });
      expect(created).toMatchObject({ provider: 'byo-phone-number', credentialId: sandbox.byoCredentialId });
    });
  });

  describe('errors', () => {
    it("reports validation errors (message array) as non-retryable, Vapi's messages as diagnostics only", async () => {
      const error = await vapi()
        .createPhoneNumber({ number: '+12055550123', name: 'x'.repeat(41), server: server() })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({
        code: 'VOICE_AGENT.REQUEST_REJECTED',
        retryable: false,
        details: { provider: 'vapi' },
        diagnostics: expect.objectContaining({
          status: 400,
          providerMessage: ['name must be shorter than or equal to 40 characters'],
        }),
      });
    });

    it('reports a wrong key as a non-retryable authentication failure', async () => {
      await expect(vapi({ apiKey: 'wrong' }).listAssistants()).rejects.toMatchObject({
        code: 'VOICE_AGENT.AUTHENTICATION_FAILED',
        retryable: false,
      });
    });

    it('reports 429, 5xx, timeouts and dropped connections as retryable', async () => {
      const adapter = vapi();
      await control.fault({ provider: 'vapi', status: 429, times: 1 });
      await expect(adapter.listPhoneNumbers()).rejects.toMatchObject({
        code: 'VOICE_AGENT.RATE_LIMITED',
        retryable: true,
      });
      await control.fault({
        provider: 'vapi',
        method: 'GET',
        path: '/phone-number',
        status: 502,
        times: 1,
      });
      await expect(adapter.listPhoneNumbers()).rejects.toMatchObject({
        code: 'VOICE_AGENT.PROVIDER_ERROR',
        retryable: true,
      });
      await control.fault({ provider: 'vapi', drop: true, times: 1 });
      await expect(adapter.listAssistants()).rejects.toMatchObject({
        code: 'VOICE_AGENT.UNREACHABLE',
        retryable: true,
      });
      await control.fault({ provider: 'vapi', latencyMs: 1_000, times: 1 });
      await expect(vapi({ timeoutMs: 100 }).listAssistants()).rejects.toMatchObject({
        code: 'VOICE_AGENT.UNREACHABLE',
        retryable: true,
      });
      // Faults with `times` are used up: the next request is served normally.
      await expect(adapter.listAssistants()).resolves.toHaveLength(3);
    });
  });

  describe('simulated calls', () => {
    let receiver: Server;
    let receiverUrl: string;
    const received: { headers: IncomingHttpHeaders; body: { message: Record<string, unknown> } }[] = [];

    beforeAll(async () => {
      receiver = createServer((req, res) => {
        let raw = '';
        req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
        req.on('end', () => {
          const body = JSON.parse(raw) as { message: Record<string, unknown> };
          received.push({ headers: req.headers, body });
          if (req.headers['x-vapi-secret'] !== 'webhook-secret') {
            res.writeHead(401).end();
            return;
          }
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify(
              body.message.type === 'assistant-request' ? { assistantId: sandbox.assistantIds[2] } : {},
            ),
          );
        });
      });
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
      receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/vapi/webhook`;
    });
    afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));
    beforeEach(() => {
      received.length = 0;
    });

    it('delivers assistant-request, status-update and end-of-call-report with the secret header', async () => {
      const bought = await twilio.purchase({ areaCode: '205' });
      const created = await vapi().createPhoneNumber({
        number: bought.phoneNumber,
        server: server(receiverUrl),
      });

      const call = await control.placeCall({
        to: bought.phoneNumber,
        from: '+14155550100',
        durationSeconds: 90,
      });
      expect(call.status).toBe(201);
      expect(call.body.deliveries.map((d: { type: string; status: number }) => [d.type, d.status])).toEqual([
        ['assistant-request', 200],
        ['status-update', 200],
        ['status-update', 200],
        ['end-of-call-report', 200],
      ]);
      expect(call.body.deliveries[0].response).toEqual({ assistantId: sandbox.assistantIds[2] });
      expect(call.body.endedReason).toBe('customer-ended-call');

      expect(received.every((r) => r.headers['x-vapi-secret'] === 'webhook-secret')).toBe(true);
      const [request, , ended, report] = received.map((r) => r.body.message);
      expect(request).toMatchObject({
        type: 'assistant-request',
        call: { type: 'inboundPhoneCall', phoneNumberId: created.id, customer: { number: '+14155550100' } },
        phoneNumber: { id: created.id, number: bought.phoneNumber },
      });
      expect(JSON.stringify(request)).not.toContain(sandbox.twilioAuthToken);
      expect(ended).toMatchObject({
        type: 'status-update',
        status: 'ended',
        endedReason: 'customer-ended-call',
      });
      expect(report).toMatchObject({ type: 'end-of-call-report', durationSeconds: 90, cost: 0.075 });
    });

    it('skips assistant-request when an assistant is attached, and reports a refused webhook', async () => {
      const bought = await twilio.purchase({ areaCode: '205' });
      const created = await vapi().createPhoneNumber({
        number: bought.phoneNumber,
        assistantId: sandbox.assistantIds[0],
        server: { url: receiverUrl, headers: { 'x-vapi-secret': 'wrong' } },
      });
      const call = await control.placeCall({ to: bought.phoneNumber });
      expect(call.body.deliveries.map((d: { type: string; status: number }) => [d.type, d.status])).toEqual([
        ['status-update', 401],
        ['status-update', 401],
        ['end-of-call-report', 401],
      ]);
      expect(call.body.call.phoneNumberId).toBe(created.id);

      await vapi().updatePhoneNumber(created.id, { assistantId: null });
      const failed = await control.placeCall({ to: bought.phoneNumber });
      expect(failed.body.endedReason).toBe('assistant-request-failed');
    });

    it('answers 404 for a number Vapi does not have', async () => {
      expect((await control.placeCall({ to: '+12055550000' })).status).toBe(404);
    });
  });
});
