import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createTestApp, type TestApp } from './support/test-app.js';
import { bearer } from './support/tokens.js';

interface Listed {
  id: string;
}

describe('lists are paginated: keyset cursor and limit', () => {
  let t: TestApp;
  let auth: string;
  let projectIds: string[];
  let agentIds: string[];
  const get = (path: string) => request(t.app.getHttpServer()).get(path).set('Authorization', auth);

  /** Every item of a list, page by page, and the sizes of its pages. */
  async function walk(path: string, limit: number): Promise<{ ids: string[]; sizes: number[] }> {
    const ids: string[] = [];
    const sizes: number[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await get(`${path}?${query}`).expect(200);
      ids.push(...res.body.items.map((i: Listed) => i.id));
      sizes.push(res.body.items.length);
      cursor = res.body.nextCursor;
    } while (cursor !== null && sizes.length < 20);
    return { ids, sizes };
  }

  beforeAll(async () => {
    t = await createTestApp({ env: { TENANT_AGENT_CREATIONS_PER_MINUTE: '100' } });
    auth = await bearer(t.config, 'pager');
    projectIds = [];
    for (let i = 0; i < 7; i++) {
      const res = await request(t.app.getHttpServer())
        .post('/api/projects')
        .set('Authorization', auth)
        .send({ name: `Project ${i}` })
        .expect(201);
      projectIds.push(res.body.id);
    }
    agentIds = [];
    for (let i = 0; i < 5; i++) {
      const res = await request(t.app.getHttpServer())
        .post(`/api/projects/${projectIds[0]}/agents`)
        .set('Authorization', auth)
        .send({ name: `Agent ${i}`, vapiAssistantId: t.sandbox!.assistantIds[0] })
        .expect(201);
      agentIds.push(res.body.id);
    }
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers a first page by default, with nextCursor null when everything fits', async () => {
    const res = await get('/api/projects').expect(200);
    expect(res.body.items.map((p: Listed) => p.id)).toEqual(projectIds);
    expect(res.body.nextCursor).toBeNull();
    const agents = await get(`/api/projects/${projectIds[0]}/agents`).expect(200);
    expect(agents.body).toEqual({ items: expect.any(Array), nextCursor: null });
    const numbers = await get(`/api/projects/${projectIds[0]}/numbers`).expect(200);
    expect(numbers.body).toEqual({ items: [], nextCursor: null });
  });

  it('walks projects page by page, oldest first, each once', async () => {
    const { ids, sizes } = await walk('/api/projects', 3);
    expect(ids).toEqual(projectIds);
    expect(sizes).toEqual([3, 3, 1]);
  });

  it('walks agents page by page, oldest first, each once', async () => {
    const { ids, sizes } = await walk(`/api/projects/${projectIds[0]}/agents`, 2);
    expect(ids).toEqual(agentIds);
    expect(sizes).toEqual([2, 2, 1]);
  });

  it('shows no other tenant\u2019s rows through a cursor', async () => {
    const first = await get('/api/projects?limit=1').expect(200);
    const other = await bearer(t.config, 'another-pager');
    const res = await request(t.app.getHttpServer())
      .get(`/api/projects?cursor=${first.body.nextCursor}`)
      .set('Authorization', other)
      .expect(200);
    expect(res.body).toEqual({ items: [], nextCursor: null });
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=ten', 'limit'],
    ['cursor=not-a-cursor', 'cursor'],
    ['cursor=%3Cscript%3E', 'cursor'],
    [`cursor=${Buffer.from('["yesterday","x"]').toString('base64url')}`, 'cursor'],
    ['offset=10', 'offset'],
  ])('refuses ?%s with 400 VALIDATION.FAILED naming %s', async (query, field) => {
    for (const path of [
      '/api/projects',
      `/api/projects/${projectIds[0]}/agents`,
      `/api/projects/${projectIds[0]}/numbers`,
    ]) {
      const res = await get(`${path}?${query}`).expect(400);
      expect(res.body.code).toBe('VALIDATION.FAILED');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
  });
});
