import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { mintToken } from '../src/tenancy/auth/development-token.js';
import { FAST_PROVISIONING_ENV } from './support/numbers.js';
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
  let agentB: string;
  let numberA: string;
  let assistantId: string;
  const http = () => request(t.app.getHttpServer());

  const snapshotOfA = async () => ({
    projects: (await http().get('/api/projects').set('Authorization', a)).body,
    project: (await http().get(`/api/projects/${projectA}`).set('Authorization', a)).body,
    agents: (await http().get(`/api/projects/${projectA}/agents`).set('Authorization', a)).body,
    number: (await http().get(`/api/numbers/${numberA}`).set('Authorization', a)).body,
    numbers: (await http().get(`/api/projects/${projectA}/numbers`).set('Authorization', a)).body,
  });

  beforeAll(async () => {
    t = await createTestApp({ env: FAST_PROVISIONING_ENV });
    assistantId = t.sandbox!.assistantIds[0];
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
        .send({ name: 'agent A', vapiAssistantId: assistantId })
        .expect(201)
    ).body.id;
    agentB = (
      await http()
        .post(`/api/projects/${projectB}/agents`)
        .set('Authorization', b)
        .send({ name: 'agent B', vapiAssistantId: assistantId })
        .expect(201)
    ).body.id;
    numberA = (
      await http()
        .post('/api/numbers')
        .set('Authorization', a)
        .send({ projectId: projectA, agentId: agentA })
        .expect(201)
    ).body.phoneNumber.id;
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
      () => http().patch(`/api/projects/${projectA}`).send({ fallbackNumber: '+12055550100' }),
      'PROJECTS.NOT_FOUND',
    ],
    ['GET agents', () => http().get(`/api/projects/${projectA}/agents`), 'PROJECTS.NOT_FOUND'],
    [
      'POST agent',
      () => http().post(`/api/projects/${projectA}/agents`).send({ name: 'x', vapiAssistantId: assistantId }),
      'PROJECTS.NOT_FOUND',
    ],
    ['DELETE agent', () => http().delete(`/api/projects/${projectA}/agents/${agentA}`), 'AGENTS.NOT_FOUND'],
    [
      "DELETE A's agent through B's own project",
      () => http().delete(`/api/projects/${projectB}/agents/${agentA}`),
      'AGENTS.NOT_FOUND',
    ],
    ['GET number', () => http().get(`/api/numbers/${numberA}`), 'NUMBERS.NOT_FOUND'],
    ['POST number retry', () => http().post(`/api/numbers/${numberA}/retry`), 'NUMBERS.NOT_FOUND'],
    ['GET project numbers', () => http().get(`/api/projects/${projectA}/numbers`), 'PROJECTS.NOT_FOUND'],
    [
      "POST number in A's project",
      () => http().post('/api/numbers').send({ projectId: projectA, agentId: agentA }),
      'PROJECTS.NOT_FOUND',
    ],
    [
      "POST number in B's project with A's agent",
      () => http().post('/api/numbers').send({ projectId: projectB, agentId: agentA }),
      'AGENTS.NOT_FOUND',
    ],
  ];

  it.each(matrix)('%s: 404 for tenant B, nothing changed for A', async (_name, call, code) => {
    const before = await snapshotOfA();
    const res = await call().set('Authorization', b);
    expect([res.status, res.body.code]).toEqual([404, code]);
    expect(await snapshotOfA()).toEqual(before);
    expect(before.agents.items).toHaveLength(1);
    expect(before.numbers.items).toHaveLength(1);
  });

  it("B's own number works, and B sees only its own numbers", async () => {
    const own = await http()
      .post('/api/numbers')
      .set('Authorization', b)
      .send({ projectId: projectB, agentId: agentB })
      .expect(201);
    const list = await http().get(`/api/projects/${projectB}/numbers`).set('Authorization', b).expect(200);
    expect(list.body.items.map((n: { id: string }) => n.id)).toEqual([own.body.phoneNumber.id]);
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
