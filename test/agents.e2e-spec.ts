import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { FAST_PROVISIONING_ENV } from './support/numbers.js';
import { sandboxControl } from './support/sandbox.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { bearer } from './support/tokens.js';

describe('agents over HTTP', () => {
  let t: TestApp;
  let auth: string;
  let projectId: string;
  const http = () => request(t.app.getHttpServer());

  beforeAll(async () => {
    t = await createTestApp({ env: FAST_PROVISIONING_ENV });
    auth = await bearer(t.config, 'agents-tenant');
    const res = await http().post('/api/projects').set('Authorization', auth).send({ name: 'P' }).expect(201);
    projectId = res.body.id;
  });
  afterAll(async () => {
    await t.close();
  });
  /** A new assistant in (the sandbox's) Vapi. */
  const newAssistant = async (): Promise<string> =>
    (await sandboxControl(t.sandbox!).addAssistant({ name: 'Front desk' })).body.id;

  const createAgent = (vapiAssistantId: string, name = 'Receptionist') =>
    http()
      .post(`/api/projects/${projectId}/agents`)
      .set('Authorization', auth)
      .send({ name, vapiAssistantId });

  it('creates an agent for an assistant Vapi has, and lists it', async () => {
    const assistantId = await newAssistant();
    const res = await createAgent(assistantId).expect(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      projectId,
      name: 'Receptionist',
      vapiAssistantId: assistantId,
      createdAt: expect.any(String),
    });
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

  it('deletes an agent no number uses, and refuses with 409 while one does', async () => {
    const busyAgent = (await createAgent(await newAssistant()).expect(201)).body.id;
    await http()
      .post('/api/numbers')
      .set('Authorization', auth)
      .send({ projectId, agentId: busyAgent })
      .expect(201);
    const busy = await http()
      .delete(`/api/projects/${projectId}/agents/${busyAgent}`)
      .set('Authorization', auth)
      .expect(409);
    expect(busy.body.code).toBe('AGENTS.IN_USE');

    const idleAgent = (await createAgent(await newAssistant()).expect(201)).body.id;
    await http()
      .delete(`/api/projects/${projectId}/agents/${idleAgent}`)
      .set('Authorization', auth)
      .expect(204);
    const again = await http()
      .delete(`/api/projects/${projectId}/agents/${idleAgent}`)
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
