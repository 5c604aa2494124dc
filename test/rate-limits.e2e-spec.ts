import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import request from 'supertest';
import { sandboxControl } from './support/sandbox.js';
import { secondInstanceEnv } from './support/numbers.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { bearer } from './support/tokens.js';

const LIMITS = { TENANT_SEARCHES_PER_MINUTE: '3', TENANT_AGENT_CREATIONS_PER_MINUTE: '2' };

describe('per-tenant rate limits on calls that cost a provider call', () => {
  let a: TestApp;
  let b: TestApp; // a second instance on the same database
  let owner: pg.Client;
  const providerCalls = async (provider: 'twilio' | 'vapi') =>
    (await sandboxControl(a.sandbox!).requests()).filter((r) => r.provider === provider).length;
  const search = (t: TestApp, auth: string, query = 'areaCode=205&limit=1') =>
    request(t.app.getHttpServer()).get(`/api/numbers?${query}`).set('Authorization', auth);

  beforeAll(async () => {
    a = await createTestApp({ env: LIMITS });
    b = await createTestApp({ env: { ...secondInstanceEnv(a), ...LIMITS }, database: a.database });
    owner = new pg.Client({ connectionString: a.database.url });
    await owner.connect();
  });
  afterAll(async () => {
    await owner.end();
    await b.close();
    await a.close();
  });
  beforeEach(async () => {
    await owner.query('delete from tenant_rate_event');
  });

  it('allows TENANT_SEARCHES_PER_MINUTE searches across instances, then 429 RATE_LIMITED with Retry-After and no Twilio call', async () => {
    const auth = await bearer(a.config, 'searcher');
    await search(a, auth).expect(200);
    await search(b, auth).expect(200);
    await search(a, auth).expect(200);
    const before = await providerCalls('twilio');
    for (const instance of [a, b]) {
      const res = await search(instance, auth).expect(429);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ code: 'RATE_LIMITED', limit: 3 });
      expect(res.body.detail).toBe('At most 3 number searches a minute; try again later.');
      expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(60);
    }
    expect(await providerCalls('twilio')).toBe(before);
    // Another tenant has a window of its own.
    await search(a, await bearer(a.config, 'other-searcher')).expect(200);
  });

  it('does not count a refused search, and lets the window slide', async () => {
    const auth = await bearer(a.config, 'slider');
    for (let i = 0; i < 5; i++) await search(a, auth, 'areaCode=12').expect(400);
    for (let i = 0; i < 3; i++) await search(a, auth).expect(200);
    await search(a, auth).expect(429);
    await owner.query("update tenant_rate_event set created_at = created_at - interval '61 seconds'");
    await search(a, auth).expect(200);
    // Rows older than the window go as new ones come.
    const { rows } = await owner.query('select count(*)::int as n from tenant_rate_event');
    expect(rows[0].n).toBe(1);
  });

  it('lets exactly the limit through when searches race', async () => {
    const auth = await bearer(a.config, 'racer');
    const statuses = await Promise.all(
      Array.from({ length: 8 }, (_, i) => search(i % 2 ? a : b, auth).then((r) => r.status)),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(5);
  });

  it('allows TENANT_AGENT_CREATIONS_PER_MINUTE agent creations, then 429 RATE_LIMITED with no Vapi call', async () => {
    const auth = await bearer(a.config, 'agent-maker');
    const { body: project } = await request(a.app.getHttpServer())
      .post('/api/projects')
      .set('Authorization', auth)
      .send({ name: 'Agents' })
      .expect(201);
    const create = () =>
      request(a.app.getHttpServer())
        .post(`/api/projects/${project.id}/agents`)
        .set('Authorization', auth)
        .send({ name: 'Front desk', vapiAssistantId: a.sandbox!.assistantIds[0] });
    await create().expect(201);
    await create().expect(201);
    const before = await providerCalls('vapi');
    const res = await create().expect(429);
    expect(res.body).toMatchObject({
      code: 'RATE_LIMITED',
      detail: 'At most 2 agent creations a minute; try again later.',
    });
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(await providerCalls('vapi')).toBe(before);
  });
});
