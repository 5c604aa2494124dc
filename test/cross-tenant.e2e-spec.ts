import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { mintToken } from '../src/tenancy/index.js';
import { VoiceAgentPort } from '../src/voice-agent/index.js';
import { fakeNumbersProviders } from './support/fake-numbers.js';
import { FakeVoiceAgent } from './support/fake-voice-agent.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { bearer } from './support/tokens.js';

/** Every endpoint, called by tenant B with tenant A's ids: 404, and A's data unchanged. */
describe('cross-tenant matrix', () => {
  let t: TestApp;
  let a: string;
  let b: string;
  let projectA: string;
  let projectB: string;
  let agentA: string;
  const vapi = new FakeVoiceAgent();
  const assistant = vapi.addAssistant(randomUUID());
  const http = () => request(t.app.getHttpServer());

  const snapshotOfA = async () => ({
    projects: (await http().get('/api/projects').set('Authorization', a)).body,
    project: (await http().get(`/api/projects/${projectA}`).set('Authorization', a)).body,
    agents: (await http().get(`/api/projects/${projectA}/agents`).set('Authorization', a)).body,
  });

  beforeAll(async () => {
    t = await createTestApp({
      overrides: [{ provide: VoiceAgentPort, useValue: vapi }],
      providers: fakeNumbersProviders,
    });
    a = await bearer(t.config, 'tenant-a');
    b = await bearer(t.config, 'tenant-b');
    projectA = (await http().post('/api/projects').set('Authorization', a).send({ name: 'A' }).expect(201))
      .body.id;
    projectB = (await http().post('/api/projects').set('Authorization', b).send({ name: 'B' }).expect(201))
      .body.id;
    agentA = (
      await http()
        .post(`/api/projects/${projectA}/agents`)
        .set('Authorization', a)
        .send({ name: 'agent A', vapiAssistantId: assistant.id })
        .expect(201)
    ).body.id;
  });
  afterAll(async () => {
    await t.close();
  });

  const matrix: [string, () => request.Test, string][] = [
    ['GET project', () => http().get(`/api/projects/${projectA}`), 'PROJECTS.NOT_FOUND'],
    [
      'PATCH project',
      () => http().patch(`/api/projects/${projectA}`).send({ name: 'taken' }),
      'PROJECTS.NOT_FOUND',
    ],
    [
      'PATCH fallback number',
      () => http().patch(`/api/projects/${projectA}`).send({ fallbackNumber: '+15555550100' }),
      'PROJECTS.NOT_FOUND',
    ],
    ['GET agents', () => http().get(`/api/projects/${projectA}/agents`), 'PROJECTS.NOT_FOUND'],
    [
      'POST agent',
      () =>
        http().post(`/api/projects/${projectA}/agents`).send({ name: 'x', vapiAssistantId: assistant.id }),
      'PROJECTS.NOT_FOUND',
    ],
    ['DELETE agent', () => http().delete(`/api/projects/${projectA}/agents/${agentA}`), 'AGENTS.NOT_FOUND'],
    [
      "DELETE A's agent through B's own project",
      () => http().delete(`/api/projects/${projectB}/agents/${agentA}`),
      'AGENTS.NOT_FOUND',
    ],
  ];

  it.each(matrix)('%s: 404 for tenant B, nothing changed for A', async (_name, call, code) => {
    const before = await snapshotOfA();
    const res = await call().set('Authorization', b);
    expect([res.status, res.body.code]).toEqual([404, code]);
    expect(await snapshotOfA()).toEqual(before);
    expect(before.agents.items).toHaveLength(1);
  });

  it("lists only the caller's projects", async () => {
    const listB = await http().get('/api/projects').set('Authorization', b).expect(200);
    expect(listB.body.items.map((p: { id: string }) => p.id)).toEqual([projectB]);
    const listA = await http().get('/api/projects').set('Authorization', a).expect(200);
    expect(listA.body.items.map((p: { id: string }) => p.id)).toEqual([projectA]);
  });

  it('a same-named tenant claim under another signing secret gets nothing', async () => {
    const forged = `Bearer ${await mintToken(
      { jwtSecret: 'f'.repeat(40), tenantClaim: 'tenant_id' },
      { tenant: 'tenant-a', userId: 'mallory' },
    )}`;
    await http().get(`/api/projects/${projectA}`).set('Authorization', forged).expect(401);
  });
});
