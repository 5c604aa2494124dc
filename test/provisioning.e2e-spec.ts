import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { SandboxHandle } from '../src/sandbox/index.js';
import {
  FAST_PROVISIONING_ENV,
  OFFERED_NUMBER_FIELDS,
  secondInstanceEnv,
  tenantWithProject,
  waitForNumber,
  type TenantProject,
} from './support/numbers.js';
import { sandboxControl } from './support/sandbox.js';
import { createTestApp, type TestApp } from './support/test-app.js';

describe('one-click provisioning over HTTP, against the sandbox', () => {
  let t: TestApp;
  let sandbox: SandboxHandle;
  let control: ReturnType<typeof sandboxControl>;
  let p: TenantProject;
  const http = () => request(t.app.getHttpServer());

  beforeAll(async () => {
    t = await createTestApp({ env: FAST_PROVISIONING_ENV });
    sandbox = t.sandbox!;
    control = sandboxControl(sandbox);
    p = await tenantWithProject(t, 'provisioning-tenant');
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(async () => {
    await control.clearFaults();
  });

  it('searches area code 205 by default, in the shape the dashboard was promised', async () => {
    const res = await http().get('/api/numbers').set('Authorization', p.auth).expect(200);
    expect(res.body.areaCode).toBe('205');
    expect(res.body.numbers.length).toBeGreaterThan(0);
    for (const n of res.body.numbers) {
      expect(Object.keys(n).sort()).toEqual(OFFERED_NUMBER_FIELDS);
      expect(n.e164).toMatch(/^\+1205\d{7}$/);
      expect(n.country).toBe('US');
      expect(Object.keys(n.capabilities).sort()).toEqual(['mms', 'sms', 'voice']);
    }
  });

  it('answers 400 NUMBERS.INVALID_AREA_CODE for a malformed area code, and 200 [] where nothing is for sale', async () => {
    const bad = await http().get('/api/numbers?areaCode=12x').set('Authorization', p.auth).expect(400);
    expect(bad.body.code).toBe('NUMBERS.INVALID_AREA_CODE');
    const empty = await http().get('/api/numbers?areaCode=907').set('Authorization', p.auth).expect(200);
    expect(empty.body).toEqual({ areaCode: '907', numbers: [] });
  });

  it('buys the first available number and makes it live: Vapi holds it with the assistant, webhook and fallback', async () => {
    const res = await http()
      .post('/api/numbers')
      .set('Authorization', p.auth)
      .send({ projectId: p.projectId, agentId: p.agentId })
      .expect(201);
    expect(Object.keys(res.body).sort()).toEqual(['phoneNumber', 'success', 'vapiNumberId']);
    expect(res.body.success).toBe(true);
    const n = res.body.phoneNumber;
    expect(n).toMatchObject({ projectId: p.projectId, agentId: p.agentId, status: 'active' });
    expect(n.e164).toMatch(/^\+1205\d{7}$/);
    expect(n.twilioSid).toMatch(/^PN[0-9a-f]{32}$/);
    expect(res.body.vapiNumberId).toBe(n.vapiNumberId);
    expect(n.activatedAt).toEqual(expect.any(String));
    expect(n.steps.purchase).toMatchObject({ status: 'succeeded', attempts: 1, lastError: null });
    expect(res.headers.location).toBe(`/api/numbers/${n.id}`);

    const state = await control.state();
    const vapiNumber = state.vapi.phoneNumbers.find((v: { id: string }) => v.id === n.vapiNumberId);
    expect(vapiNumber).toMatchObject({
      number: n.e164,
      assistantId: p.assistantId,
      server: { url: 'https://numbers.example.test/api/vapi/webhook' },
      fallbackDestination: { type: 'number', number: '+14155550199' },
    });
    expect(vapiNumber.name.length).toBeLessThanOrEqual(40);
    const twilioNumber = state.twilio.incomingPhoneNumbers.find(
      (x: { sid: string }) => x.sid === n.twilioSid,
    );
    expect(twilioNumber.voice_url).toBe(sandbox.vapiInboundUrl);
    expect(twilioNumber.friendly_name).toBe(`ahf:${n.id}`);
  });

  it('buys exactly the number asked for, and refuses one that is not for sale with 409 NUMBERS.UNAVAILABLE', async () => {
    const search = await http()
      .get('/api/numbers?areaCode=212&limit=2')
      .set('Authorization', p.auth)
      .expect(200);
    const wanted = search.body.numbers[0].e164;
    const res = await http()
      .post('/api/numbers')
      .set('Authorization', p.auth)
      .send({ projectId: p.projectId, agentId: p.agentId, number: wanted })
      .expect(201);
    expect(res.body.phoneNumber.e164).toBe(wanted);

    const again = await http()
      .post('/api/numbers')
      .set('Authorization', p.auth)
      .send({ projectId: p.projectId, agentId: p.agentId, number: wanted })
      .expect(409);
    expect(again.body.code).toBe('NUMBERS.UNAVAILABLE');
  });

  it('never buys a number it already holds, even when Twilio offers it again', async () => {
    const bought = await http()
      .post('/api/numbers')
      .set('Authorization', p.auth)
      .send({ projectId: p.projectId, agentId: p.agentId, areaCode: '415' })
      .expect(201);
    const held = bought.body.phoneNumber.e164;
    await control.reset(); // Twilio forgets the sale: the number is for sale again
    expect(
      (await control.state()).twilio.available.map((n: { phoneNumber: string }) => n.phoneNumber),
    ).toContain(held);
    // The search never offers it: a tenant holds it.
    const offered = await http().get('/api/numbers?areaCode=415&limit=50').set('Authorization', p.auth);
    expect(offered.body.numbers).toHaveLength(50);
    expect(offered.body.numbers.map((n: { e164: string }) => n.e164)).not.toContain(held);

    const named = await http()
      .post('/api/numbers')
      .set('Authorization', p.auth)
      .send({ projectId: p.projectId, agentId: p.agentId, number: held })
      .expect(409);
    expect(named.body.code).toBe('NUMBERS.UNAVAILABLE');
    const next = await http()
      .post('/api/numbers')
      .set('Authorization', p.auth)
      .send({ projectId: p.projectId, agentId: p.agentId, areaCode: '415' })
      .expect(201);
    expect(next.body.phoneNumber.e164).not.toBe(held);
    const owned = (await control.state()).twilio.incomingPhoneNumbers.map(
      (n: { phone_number: string }) => n.phone_number,
    );
    expect(owned).toEqual([next.body.phoneNumber.e164]);
  });

  it('answers 409 NUMBERS.NONE_AVAILABLE with numbers from the same state when the area code has none', async () => {
    const res = await http()
      .post('/api/numbers')
      .set('Authorization', p.auth)
      .send({ projectId: p.projectId, agentId: p.agentId, areaCode: '907' })
      .expect(409);
    expect(res.body.code).toBe('NUMBERS.NONE_AVAILABLE');
    expect(res.body.suggestions).toEqual([]); // Alaska has only 907

    const alabama = await http()
      .post('/api/numbers')
      .set('Authorization', p.auth)
      .send({ projectId: p.projectId, agentId: p.agentId, areaCode: '659' })
      .expect(409);
    expect(alabama.body.code).toBe('NUMBERS.NONE_AVAILABLE');
    expect(alabama.body.suggestions.length).toBeGreaterThan(0);
    for (const s of alabama.body.suggestions) expect(s.region).toBe('AL');
  });

  it('retries a failing Vapi: three failures then success end active with 4 attempts on register', async () => {
    await control.fault({ provider: 'vapi', method: 'POST', path: '/phone-number', status: 503, times: 3 });
    const res = await http()
      .post('/api/numbers')
      .set('Authorization', p.auth)
      .send({ projectId: p.projectId, agentId: p.agentId })
      .expect(201);
    expect(res.body.phoneNumber.status).toBe('active');
    expect(res.body.phoneNumber.steps.register.attempts).toBe(4);
    expect(res.body.phoneNumber.steps.purchase.attempts).toBe(1);
  });

  it('fails with the error once the attempts run out, and /retry after the fault is cleared makes it active', async () => {
    await control.fault({ provider: 'vapi', method: 'POST', path: '/phone-number', status: 500 });
    const res = await http()
      .post('/api/numbers')
      .set('Authorization', p.auth)
      .send({ projectId: p.projectId, agentId: p.agentId });
    const id = res.body.phoneNumber?.id ?? res.headers.location?.split('/').pop();
    const failed = await waitForNumber(t, p.auth, id, (b) => b.status === 'failed');
    expect(failed.status).toBe('failed');
    expect(failed.steps.register).toMatchObject({ status: 'failed', attempts: 5 });
    expect(failed.steps.register.lastError?.code).toBe('VOICE_AGENT.PROVIDER_ERROR');

    const outboxBefore = await http().get('/health/outbox').expect(200);
    expect(outboxBefore.body).toMatchObject({
      status: 'degraded',
      reasons: [{ code: 'OUTBOX.DELIVERIES_FAILED', subscribers: ['numbers.provisioning'] }],
    });

    await control.clearFaults();
    await http().post(`/api/numbers/${id}/retry`).set('Authorization', p.auth).expect(202);
    // The retry took the exhausted delivery's work up again: it is settled (superseded), no longer reported failed.
    const outboxAfter = await http().get('/health/outbox').expect(200);
    expect(outboxAfter.body).toMatchObject({ failed: 0 });
    expect(outboxAfter.body.reasons).not.toContainEqual(
      expect.objectContaining({ code: 'OUTBOX.DELIVERIES_FAILED' }),
    );
    const active = await waitForNumber(t, p.auth, id, (b) => b.status === 'active');
    expect(active.status).toBe('active');
    expect(active.steps.register.attempts).toBe(6);
    await http().post(`/api/numbers/${id}/retry`).set('Authorization', p.auth).expect(409);
  });

  it('answers 202 with Location while the number is not live yet, and the dashboard can follow it', async () => {
    await control.fault({ provider: 'vapi', method: 'POST', path: '/phone-number', status: 503, times: 2 });
    const slow = await createTestApp({
      env: { ...secondInstanceEnv(t), PROVISIONING_WAIT_MS: '0' },
      database: t.database,
    });
    try {
      const res = await request(slow.app.getHttpServer())
        .post('/api/numbers')
        .set('Authorization', p.auth)
        .send({ projectId: p.projectId, agentId: p.agentId })
        .expect(202);
      expect(res.body.success).toBe(false);
      expect(res.body.vapiNumberId).toBeNull();
      expect(res.body.phoneNumber.status).not.toBe('active');
      expect(res.headers.location).toBe(`/api/numbers/${res.body.phoneNumber.id}`);
      const live = await waitForNumber(t, p.auth, res.body.phoneNumber.id, (b) => b.status === 'active');
      expect(live.status).toBe('active');
      expect(live.vapiNumberId).toEqual(expect.any(String));
    } finally {
      await slow.close();
    }
  });

  it('shows provisioning and the outbox in the metrics', async () => {
    const res = await http().get('/metrics').expect(200);
    expect(res.text).toMatch(/numbers_provisioning_step_attempts_total\{step="register"\} [1-9]/);
    expect(res.text).toMatch(
      /numbers_provisioning_step_failures_total\{step="register",code="VOICE_AGENT.PROVIDER_ERROR",retryable="true"\} [1-9]/,
    );
    expect(res.text).toMatch(/numbers_provisioning_duration_seconds_count [1-9]/);
    expect(res.text).toMatch(/outbox_backlog\{status="pending"\} \d+/);
    // The number whose attempts ran out above was retried: its exhausted delivery is settled, not failed.
    expect(res.text).toMatch(
      /outbox_subscriber_backlog\{subscriber="numbers.provisioning",status="failed"\} 0/,
    );
    const ready = await http().get('/health/ready').expect(200);
    expect(Object.keys(ready.body.details)).toEqual(['database']);
  });
});
