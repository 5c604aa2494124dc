import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createTestApp, type TestApp } from './support/test-app.js';
import { bearer } from './support/tokens.js';

describe('projects over HTTP', () => {
  let t: TestApp;
  let auth: string;
  const http = () => request(t.app.getHttpServer());

  beforeAll(async () => {
    t = await createTestApp();
    auth = await bearer(t.config, 'plumbers-inc');
  });
  afterAll(async () => {
    await t.close();
  });

  it('creates, lists, reads and updates a project', async () => {
    const created = await http()
      .post('/api/projects')
      .set('Authorization', auth)
      .send({ name: 'Smith Plumbing', fallbackNumber: '+14155550123' })
      .expect(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'Smith Plumbing',
      fallbackNumber: '+14155550123',
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const id = created.body.id;

    const list = await http().get('/api/projects').set('Authorization', auth).expect(200);
    expect(list.body.items.map((p: { id: string }) => p.id)).toEqual([id]);

    await http().get(`/api/projects/${id}`).set('Authorization', auth).expect(200, created.body);

    const renamed = await http()
      .patch(`/api/projects/${id}`)
      .set('Authorization', auth)
      .send({ name: 'Smith & Sons', fallbackNumber: null })
      .expect(200);
    expect(renamed.body).toMatchObject({ id, name: 'Smith & Sons', fallbackNumber: null });
    const again = await http().get(`/api/projects/${id}`).set('Authorization', auth).expect(200);
    expect(again.body).toMatchObject({ name: 'Smith & Sons', fallbackNumber: null });
  });

  it('creates a project without a fallback number', async () => {
    const res = await http()
      .post('/api/projects')
      .set('Authorization', auth)
      .send({ name: 'No fallback' })
      .expect(201);
    expect(res.body.fallbackNumber).toBeNull();
  });

  it.each([
    [{ name: 'x', fallbackNumber: '4155550123' }, 'fallbackNumber'],
    [{ name: 'x', fallbackNumber: '+0155550123' }, 'fallbackNumber'],
    [{ name: '   ' }, 'name'],
    [{ name: 'x'.repeat(101) }, 'name'],
    [{}, 'name'],
    [{ name: 'x', tenantId: 'someone-else' }, 'tenantId'],
  ])('refuses %j with 400 VALIDATION.FAILED naming %s', async (body, field) => {
    const res = await http().post('/api/projects').set('Authorization', auth).send(body).expect(400);
    expect(res.body.code).toBe('VALIDATION.FAILED');
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('refuses a null name on update and an invalid id', async () => {
    const { body } = await http()
      .post('/api/projects')
      .set('Authorization', auth)
      .send({ name: 'p' })
      .expect(201);
    const res = await http()
      .patch(`/api/projects/${body.id}`)
      .set('Authorization', auth)
      .send({ name: null })
      .expect(400);
    expect(res.body.code).toBe('VALIDATION.FAILED');
    const bad = await http().get('/api/projects/not-a-uuid').set('Authorization', auth).expect(400);
    expect(bad.body.code).toBe('REQUEST.INVALID_ID');
  });

  it('answers 404 PROJECTS.NOT_FOUND for an unknown project', async () => {
    const res = await http()
      .get('/api/projects/00000000-0000-4000-8000-000000000000')
      .set('Authorization', auth)
      .expect(404);
    expect(res.body.code).toBe('PROJECTS.NOT_FOUND');
  });
});
