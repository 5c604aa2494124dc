import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { CallEndedEvent, CallStartedEvent } from '../src/voice-agent/index.js';
import { FAST_PROVISIONING_ENV, tenantWithProject } from './support/numbers.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { tenantIdOf } from './support/tokens.js';

const SECRET = 'webhook-secret-for-tests-0123456789';

describe('the Vapi webhook', () => {
  let t: TestApp;
  /** The call events written to the outbox since the last `beforeEach`, as consumers will receive them. */
  let since = 0;
  const callEvents = async () =>
    t.ownerQuery<{ type: string; tenant_id: string; payload: Record<string, unknown> }>(
      "select type, tenant_id, payload from outbox_event where type like 'voice-agent.%' and position > $1 order by position",
      [since],
    );
  let assistantId: string;
  let vapiNumberId: string;
  let e164: string;
  const http = () => request(t.app.getHttpServer());
  const send = (
    message: Record<string, unknown>,
    headers: Record<string, string> = { 'x-vapi-secret': SECRET },
  ) => http().post('/api/vapi/webhook').set(headers).send({ message });

  let route: { tenantId: string; projectId: string; agentId: string | null; numberId: string };

  beforeAll(async () => {
    t = await createTestApp({ env: { ...FAST_PROVISIONING_ENV, VAPI_WEBHOOK_SECRET: SECRET } });
    const p = await tenantWithProject(t, 'webhook-tenant');
    assistantId = p.assistantId;
    const bought = await http()
      .post('/api/numbers')
      .set('Authorization', p.auth)
      .send({ projectId: p.projectId, agentId: p.agentId })
      .expect(201);
    vapiNumberId = bought.body.vapiNumberId;
    e164 = bought.body.phoneNumber.e164;
    route = {
      tenantId: await tenantIdOf(t, 'webhook-tenant'),
      projectId: p.projectId,
      agentId: p.agentId,
      numberId: bought.body.phoneNumber.id,
    };
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(async () => {
    const [row] = await t.ownerQuery<{ last: string | null }>(
      'select max(position) as last from outbox_event',
    );
    since = Number(row.last ?? 0);
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
    expect(await callEvents()).toEqual([]);
  });

  it("answers assistant-request with the number's agent, keyed on call.phoneNumberId", async () => {
    const res = await send({
      type: 'assistant-request',
      call: { id: 'c1', phoneNumberId: vapiNumberId },
      phoneNumber: { id: 'another-id', number: '+19990000000' },
    }).expect(200);
    expect(res.body).toEqual({ assistantId });
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
        phoneNumber: { number: e164 },
      },
      headers,
    ).expect(200);
    expect(byNumber.body).toEqual({ assistantId });
  });

  it('takes the bearer scheme in any case', async () => {
    await send({ type: 'status-update' }, { Authorization: `bearer ${SECRET}` }).expect(200);
  });

  it('acknowledges a message for a number it does not know', async () => {
    const res = await send({ type: 'assistant-request', call: { phoneNumberId: randomUUID() } }).expect(200);
    expect(res.body).toEqual({});
    await send({ type: 'end-of-call-report', call: { id: 'c9' } }).expect(200, {});
    expect(await callEvents()).toEqual([]);
  });

  it('turns status-update in-progress and end-of-call-report into CallStarted and CallEnded, naming the number', async () => {
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
    expect(await callEvents()).toEqual([
      {
        type: CallStartedEvent.TYPE,
        tenant_id: route.tenantId,
        payload: {
          projectId: route.projectId,
          numberId: route.numberId,
          e164,
          vapiCallId: 'call-1',
          startedAt: new Date(1_790_000_000_000).toISOString(),
        },
      },
      {
        type: CallEndedEvent.TYPE,
        tenant_id: route.tenantId,
        payload: {
          projectId: route.projectId,
          numberId: route.numberId,
          e164,
          vapiCallId: 'call-1',
          endedReason: 'customer-ended-call',
          durationSeconds: 150,
          cost: 0.42,
          endedAt: '2026-11-24T10:02:30.000Z',
        },
      },
    ]);
  });

  describe('a message Vapi delivers again', () => {
    const report = (callId: string) => ({
      type: 'end-of-call-report',
      call: { id: callId, phoneNumberId: vapiNumberId },
      endedReason: 'customer-ended-call',
      durationSeconds: 61,
      cost: 0.12,
    });
    const eventsOfCall = async (callId: string) =>
      (await callEvents()).filter((event) => event.payload.vapiCallId === callId).map((event) => event.type);

    it('counts a replayed end-of-call report once, replayed later or at once, to one instance or two', async () => {
      await send(report('call-replayed')).expect(200, {});
      await send(report('call-replayed')).expect(200, {});
      const second = await createTestApp({
        database: t.database,
        env: { ...FAST_PROVISIONING_ENV, VAPI_WEBHOOK_SECRET: SECRET },
      });
      try {
        const toSecond = () =>
          request(second.app.getHttpServer())
            .post('/api/vapi/webhook')
            .set('x-vapi-secret', SECRET)
            .send({ message: report('call-at-once') });
        const answers = await Promise.all([
          ...Array.from({ length: 4 }, () => send(report('call-at-once'))),
          ...Array.from({ length: 4 }, toSecond),
        ]);
        expect(answers.map((answer) => [answer.status, answer.body])).toEqual(
          Array.from({ length: 8 }, () => [200, {}]),
        );
      } finally {
        await second.close();
      }
      expect(await eventsOfCall('call-replayed')).toEqual([CallEndedEvent.TYPE]);
      expect(await eventsOfCall('call-at-once')).toEqual([CallEndedEvent.TYPE]);
      const processed = await t.ownerQuery<{ call_id: string; message_type: string }>(
        "select call_id, message_type from vapi_webhook_message where call_id in ('call-replayed', 'call-at-once') order by 1",
      );
      expect(processed).toEqual([
        { call_id: 'call-at-once', message_type: 'end-of-call-report' },
        { call_id: 'call-replayed', message_type: 'end-of-call-report' },
      ]);
    });

    it('starts a call once, and still ends it: the key is the call and the message type', async () => {
      const started = {
        type: 'status-update',
        status: 'in-progress',
        call: { id: 'call-started-twice', phoneNumberId: vapiNumberId },
      };
      await Promise.all([send(started).expect(200, {}), send(started).expect(200, {})]);
      await send(report('call-started-twice')).expect(200, {});
      expect(await eventsOfCall('call-started-twice')).toEqual([CallStartedEvent.TYPE, CallEndedEvent.TYPE]);
    });
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
