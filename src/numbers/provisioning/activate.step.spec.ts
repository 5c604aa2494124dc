import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
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
import { VoiceAgentPort } from '../../voice-agent/index.js';
import { vapiNameOf } from '../phone-number.entity.js';
import { NumberNotReadyError } from '../phone-number.errors.js';
import { NumberProvisioningProcessManager } from './number-provisioning.process-manager.js';

/**
 * The `activate` step, called as the flow calls it (in the tenant's scope, by the process manager), on a number
 * that Twilio and Vapi really hold in the sandbox. The relay is off: nothing but the test runs a step.
 */
describe('ActivateNumber', () => {
  let t: TestApp;
  let owner: { tenantId: string; projectId: string; agentId: string };
  let assistants: string[];

  beforeAll(async () => {
    t = await createTestApp({ env: { ...FAST_PROVISIONING_ENV, OUTBOX_RELAY_ENABLED: 'false' } });
    const p = await tenantWithProject(t, 'activation-tenant', null);
    owner = { tenantId: await tenantIdOf(t, p.projectId), projectId: p.projectId, agentId: p.agentId };
    assistants = t.sandbox!.assistantIds;
  });
  afterAll(async () => {
    await t.close();
  });

  /**
   * A number bought in Twilio and imported into Vapi as registration does, but answering with `assistantId` and
   * sending `secret` with its webhooks; its row at `activate`.
   */
  async function registeredNumber(assistantId: string, secret = t.config.providers.vapi.webhookSecret) {
    const twilioNumber = await t.app.get(TelephonyPort).purchase({ areaCode: '205' });
    const vapiNumber = await t.app.get(VoiceAgentPort).createPhoneNumber({
      number: twilioNumber.phoneNumber,
      name: vapiNameOf(owner.projectId),
      assistantId,
      server: {
        url: `${t.config.http.publicBaseUrl}/api/vapi/webhook`,
        headers: { 'x-vapi-secret': secret },
      },
    });
    const number = await storedNumber(t, owner, (n) => {
      n.purchased({ e164: twilioNumber.phoneNumber, twilioSid: twilioNumber.sid });
      n.begin('register');
      n.registeredWithVapi(vapiNumber.id);
      n.begin('activate');
    });
    return { number, vapiNumber };
  }

  const activate = (numberId: string) =>
    inTenant(t, owner.tenantId, () => t.app.get(NumberProvisioningProcessManager).activate(numberId));

  const activatedEvents = async (numberId: string) =>
    (
      await t.ownerQuery(
        "select 1 from outbox_event where type = 'numbers.number-activated' and payload->>'numberId' = $1",
        [numberId],
      )
    ).length;

  it("finds the Vapi number answering with another assistant: gives it the agent's and activates, in one attempt", async () => {
    const { number, vapiNumber } = await registeredNumber(assistants[1]!);

    await activate(number.id);

    const after = await reloadNumber(t, owner.tenantId, number.id);
    expect(after.status).toBe('active');
    expect(after.steps.activate).toMatchObject({ status: 'succeeded', attempts: 1, lastError: null });
    expect(await activatedEvents(number.id)).toBe(1);
    expect(await t.app.get(VoiceAgentPort).getPhoneNumber(vapiNumber.id)).toMatchObject({
      assistantId: assistants[0],
    });
  });

  it('finds the Vapi number sending another webhook secret (VAPI_WEBHOOK_SECRET rotated): gives it ours and activates', async () => {
    const { number, vapiNumber } = await registeredNumber(
      assistants[0]!,
      'a-webhook-secret-before-its-rotation',
    );

    await activate(number.id);

    const after = await reloadNumber(t, owner.tenantId, number.id);
    expect(after.status).toBe('active');
    expect(after.steps.activate).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect((await t.app.get(VoiceAgentPort).getPhoneNumber(vapiNumber.id))?.server).toEqual({
      url: `${t.config.http.publicBaseUrl}/api/vapi/webhook`,
      headers: { 'x-vapi-secret': t.config.providers.vapi.webhookSecret },
    });
  });

  it('finds the Twilio number gone: NUMBERS.NOT_READY, retried, not reported live', async () => {
    const { number } = await registeredNumber(assistants[0]!);
    await t.app.get(TelephonyPort).release(number.twilioSid!);

    const error = await activate(number.id).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(NumberNotReadyError);
    expect(error).toMatchObject({
      code: 'NUMBERS.NOT_READY',
      retryable: true,
      details: {
        problems: [`Twilio no longer has ${number.twilioSid}`],
      },
    });
    const after = await reloadNumber(t, owner.tenantId, number.id);
    expect(after.status).toBe('activating');
    expect(after.activatedAt).toBeNull();
    expect(after.steps.activate).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastError: { code: 'NUMBERS.NOT_READY' },
    });
    expect(await activatedEvents(number.id)).toBe(0);
  });

  it('names every problem at once: a Twilio number gone and the Vapi number gone', async () => {
    const { number, vapiNumber } = await registeredNumber(assistants[0]!);
    await t.app.get(TelephonyPort).release(number.twilioSid!);
    await t.app.get(VoiceAgentPort).deletePhoneNumber(vapiNumber.id);

    await expect(activate(number.id)).rejects.toMatchObject({
      code: 'NUMBERS.NOT_READY',
      details: {
        problems: [`Twilio no longer has ${number.twilioSid}`, `Vapi no longer has ${vapiNumber.id}`],
      },
    });
  });
});
