import { describe, expect, it } from '@jest/globals';
import { PhoneNumber, twilioMarkOf, vapiNameOf } from './phone-number.entity.js';

const requested = () =>
  new PhoneNumber({
    tenantId: '00000000-0000-4000-8000-000000000001',
    projectId: '11111111-2222-4333-8444-555555555555',
    agentId: '00000000-0000-4000-8000-000000000003',
    areaCode: '205',
    requestedNumber: null,
  });

const types = (n: PhoneNumber) => n.pullEvents().map((e) => e.type);

describe('PhoneNumber', () => {
  it('records NumberRequested with the intent, at the purchase step', () => {
    const n = requested();
    expect(n.status).toBe('purchasing');
    expect(n.currentStep).toBe('purchase');
    expect(types(n)).toEqual(['numbers.number-requested']);
  });

  it('walks purchase, register, activate, recording the event each next step reacts to', () => {
    const n = requested();
    n.pullEvents();
    n.startAttempt('purchase');
    n.purchased({ e164: '+12055550100', twilioSid: `PN${'a'.repeat(32)}` });
    expect(types(n)).toEqual(['numbers.number-purchased']);
    n.startAttempt('register');
    n.registeredWithVapi('vapi-1');
    expect(types(n)).toEqual(['numbers.number-registered-with-vapi']);
    n.startAttempt('activate');
    n.activated(115, new Date('2026-11-24T12:00:00Z'));
    const [activated] = n.pullEvents();
    expect(activated.type).toBe('numbers.number-activated');
    expect(activated.payload).toMatchObject({
      e164: '+12055550100',
      monthlyCostCents: 115,
      vapiNumberId: 'vapi-1',
    });
    expect(n.status).toBe('active');
    expect(n.currentStep).toBeNull();
    expect(Object.values(n.steps).map((s) => [s.status, s.attempts])).toEqual([
      ['succeeded', 1],
      ['succeeded', 1],
      ['succeeded', 1],
    ]);
  });

  it('counts attempts, keeps the last error, and refuses a step that is not under way', () => {
    const n = requested();
    n.startAttempt('purchase');
    n.attemptFailed('purchase', { code: 'TELEPHONY.UNREACHABLE', message: 'timeout' });
    n.startAttempt('purchase');
    expect(n.steps.purchase).toMatchObject({ status: 'running', attempts: 2 });
    expect(n.steps.purchase.lastError?.code).toBe('TELEPHONY.UNREACHABLE');
    expect(() => n.registeredWithVapi('v')).toThrow(/step register is not under way/);
    expect(n.isAt('register')).toBe(false);
  });

  it('fails a step with NumberProvisioningFailed, and retry runs that step again, attempts still counting', () => {
    const n = requested();
    n.startAttempt('purchase');
    n.purchased({ e164: '+12055550100', twilioSid: `PN${'b'.repeat(32)}` });
    n.startAttempt('register');
    n.pullEvents();
    n.failStep('register', { code: 'VOICE_AGENT.PROVIDER_ERROR', message: 'down' });
    expect(n.status).toBe('failed');
    expect(n.pullEvents()[0].payload).toMatchObject({ step: 'register', code: 'VOICE_AGENT.PROVIDER_ERROR' });
    expect(n.retry()).toBe('register');
    expect(n.status).toBe('registering');
    expect(n.steps.register).toMatchObject({ status: 'pending', attempts: 1 });
    expect(types(n)).toEqual(['numbers.number-provisioning-retried']);
    expect(() => n.retry()).toThrow(/not failed/);
  });

  it('names Twilio and Vapi numbers so either side leads back to us within the providers’ limits', () => {
    const n = requested();
    expect(twilioMarkOf(n.id)).toBe(`ahf:${n.id}`);
    expect(twilioMarkOf(n.id).length).toBeLessThanOrEqual(64);
    expect(vapiNameOf(n.projectId)).toBe('ahf:11111111222243338444555555555555');
    expect(vapiNameOf(n.projectId).length).toBeLessThanOrEqual(40);
  });
});
