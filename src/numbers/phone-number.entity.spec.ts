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

  it('walks the steps it is told to begin, recording the event each next step reacts to', () => {
    const n = requested();
    n.pullEvents();
    n.startAttempt('purchase');
    n.purchased({ e164: '+12055550100', twilioSid: `PN${'a'.repeat(32)}` });
    expect(types(n)).toEqual(['numbers.number-purchased']);
    expect(() => n.startAttempt('register')).toThrow(/not under way/);
    n.begin('register');
    n.startAttempt('register');
    n.registeredWithVapi('vapi-1');
    expect(types(n)).toEqual(['numbers.number-registered-with-vapi']);
    n.begin('activate');
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
    expect(n.startAttempt('purchase')).toEqual({ previousOutcomeUnknown: false });
    n.attemptFailed('purchase', { code: 'TELEPHONY.UNREACHABLE', message: 'timeout' }, true);
    expect(n.startAttempt('purchase')).toEqual({ previousOutcomeUnknown: true });
    expect(n.steps.purchase).toMatchObject({ status: 'running', attempts: 2 });
    expect(n.steps.purchase.lastError?.code).toBe('TELEPHONY.UNREACHABLE');
    expect(() => n.registeredWithVapi('v')).toThrow(/step register is not under way/);
    expect(n.isAt('register')).toBe(false);
  });

  it('fails a step with NumberProvisioningFailed, and retry runs that step again, attempts still counting', () => {
    const n = requested();
    n.startAttempt('purchase');
    n.purchased({ e164: '+12055550100', twilioSid: `PN${'b'.repeat(32)}` });
    n.begin('register');
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

  it('knows whether the attempt before left its outcome unknown: a crash mid-call, or a failure that may have done it', () => {
    const n = requested();
    n.startAttempt('purchase');
    // The process died here: the attempt never recorded an outcome.
    expect(n.startAttempt('purchase')).toEqual({ previousOutcomeUnknown: true });
    n.attemptFailed('purchase', { code: 'TELEPHONY.RATE_LIMITED', message: '429' }, false);
    expect(n.startAttempt('purchase')).toEqual({ previousOutcomeUnknown: false });
  });

  it('ends a refused purchase refused, with its typed reason, holding nothing, and still tells the consumers', () => {
    const n = requested();
    n.startAttempt('purchase');
    n.pullEvents();
    n.refused(
      { kind: 'none-available', areaCode: '205', suggestions: [] },
      { code: 'NUMBERS.NONE_AVAILABLE', message: 'none' },
    );
    expect(n).toMatchObject({ status: 'refused', e164: null, currentStep: null });
    expect(n.refusal).toEqual({ kind: 'none-available', areaCode: '205', suggestions: [] });
    expect(n.pullEvents().map((e) => [e.type, e.payload.code])).toEqual([
      ['numbers.number-provisioning-failed', 'NUMBERS.NONE_AVAILABLE'],
    ]);
    expect(() => n.retry()).toThrow(/not failed/);
  });

  it("keeps a released number for a restore during the grace period, but never one of the customer's Twilio account", () => {
    const live = (kind: PhoneNumber['kind']) => {
      const n = requested();
      n.kind = kind;
      n.startAttempt('purchase');
      n.purchased({ e164: '+12055550100', twilioSid: `PN${'a'.repeat(32)}` });
      n.begin('register');
      n.startAttempt('register');
      n.registeredWithVapi('vapi-1');
      n.begin('activate');
      n.startAttempt('activate');
      n.activated(115);
      return n;
    };
    const releasedWithGrace = (kind: PhoneNumber['kind']) => {
      const n = live(kind);
      n.requestRelease(3_600_000);
      n.startAttempt('detach');
      n.detached();
      return n;
    };
    for (const kind of ['purchased', 'imported-sip'] as const) {
      const n = releasedWithGrace(kind);
      expect([n.status, n.inGrace, n.restorable()]).toEqual(['released', true, true]);
    }
    const imported = releasedWithGrace('imported-twilio');
    expect(imported.graceUntil).toBeNull();
    expect([imported.status, imported.currentStep, imported.restorable()]).toEqual([
      'releasing',
      'release',
      false,
    ]);
    expect(types(imported)).not.toContain('numbers.number-release-due');
    // Released with a grace period before this rule: still not restorable.
    const older = releasedWithGrace('purchased');
    older.kind = 'imported-twilio';
    expect(older.restorable()).toBe(false);
  });

  it('names Twilio and Vapi numbers so either side leads back to us within the providers’ limits', () => {
    const n = requested();
    expect(twilioMarkOf(n.id)).toBe(`ahf:${n.id}`);
    expect(twilioMarkOf(n.id).length).toBeLessThanOrEqual(64);
    expect(vapiNameOf(n.projectId)).toBe('ahf:11111111222243338444555555555555');
    expect(vapiNameOf(n.projectId).length).toBeLessThanOrEqual(40);
  });
});
