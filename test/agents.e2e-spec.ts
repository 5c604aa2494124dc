import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { VoiceAgentPort } from '../src/voice-agent/index.js';
import { FakeNumbers, fakeNumbersProviders } from './support/fake-numbers.js';
import { FakeVoiceAgent } from './support/fake-voice-agent.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { bearer, tenantIdOf } from './support/tokens.js';

describe('agents over HTTP', () => {
  let t: TestApp;
  let auth: string;
  let projectId: string;
  let tenantId: string;
  const vapi = new FakeVoiceAgent();
  const http = () => request(t.app.getHttpServer());

  beforeAll(async () => {
    t = await createTestApp({
      overrides: [{ provide: VoiceAgentPort, useValue: vapi }],
      providers: fakeNumbersProviders,
    });
    auth = await bearer(t.config, 'agents-tenant');
    const res = await http().post('/api/projects').set('Authorization', auth).send({ name: 'P' }).expect(201);
    projectId = res.body.id;
    tenantId = await tenantIdOf(t, 'agents-tenant');
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(() => t.app.get(FakeNumbers).clear());

  const createAgent = (vapiAssistantId: string, name = 'Receptionist') =>
    http()
      .post(`/api/projects/${projectId}/agents`)
      .set('Authorization', auth)
      .send({ name, vapiAssistantId });

  it('creates an agent for an assistant Vapi has, and lists it', async () => {
    const assistant = vapi.addAssistant(randomUUID());
    const res = await createAgent(assistant.id).expect(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      projectId,
      name: 'Receptionist',
      vapiAssistantId: assistant.id,
      createdAt: expect.any(String),
    });
    expect(vapi.lookups).toContain(assistant.id);
    const list = await http().get(`/api/projects/${projectId}/agents`).set('Authorization', auth).expect(200);
    expect(list.body.items.map((a: { id: string }) => a.id)).toContain(res.body.id);
  });

  it('refuses an assistant Vapi does not have with 422 and stores nothing', async () => {
    const before = await http().get(`/api/projects/${projectId}/agents`).set('Authorization', auth);
    const res = await createAgent(randomUUID()).expect(422);
    expect(res.body.code).toBe('AGENTS.ASSISTANT_NOT_FOUND');
    const after = await http().get(`/api/projects/${projectId}/agents`).set('Authorization', auth);
    expect(after.body.items).toEqual(before.body.items);
  });

  it('refuses an assistant id that is not a UUID with 400', async () => {
    const res = await createAgent('asst_123').expect(400);
    expect(res.body.code).toBe('VALIDATION.FAILED');
  });

  it('deletes an agent no live number uses, and refuses with 409 while one does', async () => {
    const created = await createAgent(vapi.addAssistant(randomUUID()).id).expect(201);
    const agentId = created.body.id;
    const number = {
      vapiPhoneNumberId: randomUUID(),
      number: '+12055550100',
      tenantId,
      projectId,
      agentId,
      live: true,
    };
    t.app.get(FakeNumbers).add(number);

    const busy = await http()
      .delete(`/api/projects/${projectId}/agents/${agentId}`)
      .set('Authorization', auth)
      .expect(409);
    expect(busy.body.code).toBe('AGENTS.IN_USE');

    number.live = false;
    await http()
      .delete(`/api/projects/${projectId}/agents/${agentId}`)
      .set('Authorization', auth)
      .expect(204);
    const again = await http()
      .delete(`/api/projects/${projectId}/agents/${agentId}`)
      .set('Authorization', auth)
      .expect(404);
    expect(again.body.code).toBe('AGENTS.NOT_FOUND');
  });

  it('answers 404 for agents of an unknown project', async () => {
    const res = await http()
      .get(`/api/projects/${randomUUID()}/agents`)
      .set('Authorization', auth)
      .expect(404);
    expect(res.body.code).toBe('PROJECTS.NOT_FOUND');
  });
});
