import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { EventBus } from '@nestjs/cqrs';
import request from 'supertest';
import { CallEndedEvent, CallStartedEvent, VoiceAgentPort } from '../src/voice-agent/index.js';
import { FakeNumbers, fakeNumbersProviders } from './support/fake-numbers.js';
import { FakeVoiceAgent } from './support/fake-voice-agent.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { bearer, tenantIdOf } from './support/tokens.js';

const SECRET = 'webhook-secret-for-tests-0123456789';

describe('the Vapi webhook', () => {
  let t: TestApp;
  let numbers: FakeNumbers;
  const vapi = new FakeVoiceAgent();
  const events: unknown[] = [];
  const assistantId = randomUUID();
  const vapiNumberId = randomUUID();
  const http = () => request(t.app.getHttpServer());
  const send = (
    message: Record<string, unknown>,
    headers: Record<string, string> = { 'x-vapi-secret': SECRET },
  ) => http().post('/api/vapi/webhook').set(headers).send({ message });

  let route: { tenantId: string; projectId: string; agentId: string | null };

  beforeAll(async () => {
    t = await createTestApp({
      env: { VAPI_WEBHOOK_SECRET: SECRET },
      overrides: [{ provide: VoiceAgentPort, useValue: vapi }],
      providers: fakeNumbersProviders,
    });
    numbers = t.app.get(FakeNumbers);
    t.app.get(EventBus).subscribe((event) => events.push(event));
    const auth = await bearer(t.config, 'webhook-tenant');
    const project = await http()
      .post('/api/projects')
      .set('Authorization', auth)
      .send({ name: 'P', fallbackNumber: '+14155550199' })
      .expect(201);
    vapi.addAssistant(assistantId);
    const agent = await http()
      .post(`/api/projects/${project.body.id}/agents`)
      .set('Authorization', auth)
      .send({ name: 'A', vapiAssistantId: assistantId })
      .expect(201);
    route = {
      tenantId: await tenantIdOf(t, 'webhook-tenant'),
      projectId: project.body.id,
      agentId: agent.body.id,
    };
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(() => {
    numbers.clear();
    numbers.add({ ...route, vapiPhoneNumberId: vapiNumberId, number: '+12055550100', live: true });
    events.length = 0;
  });

  it.each([
    ['no secret', {}],
    ['a wrong x-vapi-secret', { 'x-vapi-secret': `${SECRET}x` }],
    ['a wrong bearer', { Authorization: 'Bearer nope' }],
    ['the secret under another scheme', { Authorization: `Basic ${SECRET}` }],
  ])('refuses %s with 401 and processes nothing', async (_name, headers) => {
    const res = await send(
      { type: 'status-update', status: 'in-progress', call: { id: 'c1', phoneNumberId: vapiNumberId } },
      headers,
    ).expect(401);
    expect(res.body.code).toBe('VAPI.INVALID_SECRET');
    expect(numbers.resolved).toEqual([]);
    expect(events).toEqual([]);
  });

  it("answers assistant-request with the number's agent, keyed on call.phoneNumberId", async () => {
    const res = await send({
      type: 'assistant-request',
      call: { id: 'c1', phoneNumberId: vapiNumberId },
      phoneNumber: { id: 'another-id', number: '+19990000000' },
    }).expect(200);
    expect(res.body).toEqual({ assistantId });
    expect(numbers.resolved).toEqual([{ vapiPhoneNumberId: vapiNumberId }]);
  });

  it('accepts the secret as a bearer token, and falls back to phoneNumber.id, then the number', async () => {
    const headers = { Authorization: `Bearer ${SECRET}` };
    await send({ type: 'assistant-request', phoneNumber: { id: vapiNumberId } }, headers).expect(200, {
      assistantId,
    });
    const byNumber = await send(
      {
        type: 'assistant-request',
        call: { phoneNumberId: 'unknown' },
        phoneNumber: { number: '+12055550100' },
      },
      headers,
    ).expect(200);
    expect(byNumber.body).toEqual({ assistantId });
    expect(numbers.resolved.slice(1)).toEqual([{ vapiPhoneNumberId: 'unknown' }, { number: '+12055550100' }]);
  });

  it('takes the bearer scheme in any case', async () => {
    await send({ type: 'status-update' }, { Authorization: `bearer ${SECRET}` }).expect(200);
  });

  it("transfers to the project's fallback number when the number has no agent", async () => {
    numbers.clear();
    numbers.add({
      ...route,
      agentId: null,
      vapiPhoneNumberId: vapiNumberId,
      number: '+12055550100',
      live: true,
    });
    const res = await send({ type: 'assistant-request', call: { phoneNumberId: vapiNumberId } }).expect(200);
    expect(res.body).toEqual({ destination: { type: 'number', number: '+14155550199', message: '' } });
  });

  it('acknowledges a message for a number it does not know', async () => {
    const res = await send({ type: 'assistant-request', call: { phoneNumberId: randomUUID() } }).expect(200);
    expect(res.body).toEqual({});
    await send({ type: 'end-of-call-report', call: { id: 'c9' } }).expect(200, {});
    expect(events).toEqual([]);
  });

  it('turns status-update in-progress and end-of-call-report into CallStarted and CallEnded', async () => {
    await send({
      type: 'status-update',
      status: 'in-progress',
      call: { id: 'call-1', phoneNumberId: vapiNumberId },
      timestamp: 1_790_000_000_000,
    }).expect(200, {});
    await send({
      type: 'status-update',
      status: 'ringing',
      call: { id: 'call-1', phoneNumberId: vapiNumberId },
    });
    await send({
      type: 'end-of-call-report',
      call: { id: 'call-1', phoneNumberId: vapiNumberId },
      endedReason: 'customer-ended-call',
      startedAt: '2026-11-24T10:00:00.000Z',
      endedAt: '2026-11-24T10:02:30.000Z',
      cost: 0.42,
      artifact: {},
      analysis: {},
    }).expect(200, {});
    expect(events).toEqual([
      new CallStartedEvent(
        route.tenantId,
        route.projectId,
        'call-1',
        new Date(1_790_000_000_000).toISOString(),
      ),
      new CallEndedEvent(
        route.tenantId,
        route.projectId,
        'call-1',
        'customer-ended-call',
        150,
        0.42,
        '2026-11-24T10:02:30.000Z',
      ),
    ]);
  });

  it.each([
    [{}, 'message'],
    [{ message: 'hello' }, 'message'],
    [{ message: {} }, 'message.type'],
    [{ message: { type: 42 } }, 'message.type'],
    [{ message: { type: 'assistant-request', call: 'x' } }, 'message.call'],
    [{ message: { type: 'end-of-call-report', cost: 'free' } }, 'message.cost'],
  ])('refuses the malformed body %j with 400 naming %s', async (body, field) => {
    const res = await http().post('/api/vapi/webhook').set('x-vapi-secret', SECRET).send(body).expect(400);
    expect(res.body.code).toBe('VAPI.MALFORMED_MESSAGE');
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });
});
