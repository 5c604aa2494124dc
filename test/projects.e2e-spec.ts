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

  describe('fallback number (toll fraud)', () => {
    it.each([
      ['a US number', '+14155550123'],
      ['a Canadian number (Toronto)', '+14165550123'],
    ])('accepts %s', async (_name, fallbackNumber) => {
      const res = await http()
        .post('/api/projects')
        .set('Authorization', auth)
        .send({ name: 'Fallback', fallbackNumber })
        .expect(201);
      expect(res.body.fallbackNumber).toBe(fallbackNumber);
    });

    it.each([
      ['a premium-rate 900 number', '+19005550123', 'premium-rate'],
      ['a number on a premium-rate 976 exchange', '+12129761234', 'premium-rate'],
      ['the 976 area code', '+19765550123', 'premium-rate'],
      ['a Jamaican +1 number', '+18765550123', 'area code 876 is not'],
      ['a Dominican +1 number', '+18095550123', 'area code 809 is not'],
      ['a toll-free number', '+18005550123', 'area code 800 is not'],
      ['a UK number', '+442071234567', 'must be a +1 number'],
      ['a number too short for NANP', '+1415555012', 'must be a +1 number'],
    ])(
      'refuses %s with 400 VALIDATION.FAILED naming fallbackNumber, on create and on update',
      async (_n, number, why) => {
        const created = await http()
          .post('/api/projects')
          .set('Authorization', auth)
          .send({ name: 'Toll fraud', fallbackNumber: number })
          .expect(400);
        expect(created.body.code).toBe('VALIDATION.FAILED');
        expect(created.body.errors).toEqual([
          { field: 'fallbackNumber', message: expect.stringContaining(why) },
        ]);

        const { body: project } = await http()
          .post('/api/projects')
          .set('Authorization', auth)
          .send({ name: 'Honest', fallbackNumber: '+14155550123' })
          .expect(201);
        const updated = await http()
          .patch(`/api/projects/${project.id}`)
          .set('Authorization', auth)
          .send({ fallbackNumber: number })
          .expect(400);
        expect(updated.body.errors).toEqual([
          { field: 'fallbackNumber', message: expect.stringContaining(why) },
        ]);
        const after = await http().get(`/api/projects/${project.id}`).set('Authorization', auth).expect(200);
        expect(after.body.fallbackNumber).toBe('+14155550123');
      },
    );
  });
});

describe('fallback numbers with FALLBACK_COUNTRIES=US', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { FALLBACK_COUNTRIES: 'US' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('refuses a Canadian number and accepts a US one', async () => {
    const auth = await bearer(t.config, 'us-only');
    const http = () => request(t.app.getHttpServer()).post('/api/projects').set('Authorization', auth);
    const refused = await http().send({ name: 'x', fallbackNumber: '+16045550123' }).expect(400);
    expect(refused.body.errors).toEqual([
      { field: 'fallbackNumber', message: 'fallbackNumber must be a number in US; area code 604 is not' },
    ]);
    await http().send({ name: 'x', fallbackNumber: '+12055550123' }).expect(201);
  });
});
