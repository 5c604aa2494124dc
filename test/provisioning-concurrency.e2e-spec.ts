import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import {
  FAST_PROVISIONING_ENV,
  secondInstanceEnv,
  tenantWithProject,
  type TenantProject,
} from './support/numbers.js';
import { sandboxControl } from './support/sandbox.js';
import { createTestApp, type TestApp } from './support/test-app.js';

describe('a purchase that can never buy twice', () => {
  let t: TestApp;
  let p: TenantProject;
  const http = () => request(t.app.getHttpServer());
  const owned = async () =>
    (await sandboxControl(t.sandbox!).state()).twilio.incomingPhoneNumbers as unknown[];
  const registered = async () => (await sandboxControl(t.sandbox!).state()).vapi.phoneNumbers as unknown[];

  beforeAll(async () => {
    t = await createTestApp({
      env: { ...FAST_PROVISIONING_ENV, TENANT_PURCHASES_PER_MINUTE: '100', TENANT_MAX_NUMBERS: '100' },
    });
    p = await tenantWithProject(t, 'concurrency-tenant');
  });
  afterAll(async () => {
    await t.close();
  });

  it('50 concurrent requests with one Idempotency-Key buy one number and all get the same answer', async () => {
    const before = (await owned()).length;
    const answers = await Promise.all(
      Array.from({ length: 50 }, () =>
        http()
          .post('/api/numbers')
          .set('Authorization', p.auth)
          .set('Idempotency-Key', 'click-1')
          .send({ projectId: p.projectId, agentId: p.agentId }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(50).fill(201));
    expect(new Set(answers.map((a) => a.body.phoneNumber.id)).size).toBe(1);
    expect(answers.filter((a) => a.headers['idempotent-replayed'] === 'true')).toHaveLength(49);
    expect((await owned()).length).toBe(before + 1);

    // The same key with another body is refused; a new key buys a new number.
    const mismatch = await http()
      .post('/api/numbers')
      .set('Authorization', p.auth)
      .set('Idempotency-Key', 'click-1')
      .send({ projectId: p.projectId, agentId: p.agentId, areaCode: '212' })
      .expect(422);
    expect(mismatch.body.code).toBe('IDEMPOTENCY.MISMATCH');
  });

  it('two requests for the same number at once: one 201, one 409 NUMBERS.UNAVAILABLE, one number in each provider', async () => {
    const search = await http()
      .get('/api/numbers?areaCode=312&limit=1')
      .set('Authorization', p.auth)
      .expect(200);
    const wanted = search.body.numbers[0].e164;
    const [ownedBefore, registeredBefore] = [(await owned()).length, (await registered()).length];
    const answers = await Promise.all(
      [1, 2].map(() =>
        http()
          .post('/api/numbers')
          .set('Authorization', p.auth)
          .send({ projectId: p.projectId, agentId: p.agentId, number: wanted }),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
    expect(answers.find((a) => a.status === 409)!.body.code).toBe('NUMBERS.UNAVAILABLE');
    expect((await owned()).length).toBe(ownedBefore + 1);
    expect((await registered()).length).toBe(registeredBefore + 1);
  });

  it('counts purchases against the tenant: the cap answers 429 NUMBERS.QUOTA_EXCEEDED', async () => {
    const capped = await createTestApp({
      env: { ...secondInstanceEnv(t), TENANT_MAX_NUMBERS: '1' },
      database: t.database,
    });
    try {
      const q = await tenantWithProject(capped, 'capped-tenant', null, t.sandbox!.assistantIds[0]);
      const buy = () =>
        request(capped.app.getHttpServer())
          .post('/api/numbers')
          .set('Authorization', q.auth)
          .send({ projectId: q.projectId, agentId: q.agentId });
      await buy().expect(201);
      const refused = await buy().expect(429);
      expect(refused.body.code).toBe('NUMBERS.QUOTA_EXCEEDED');
      expect(refused.headers['retry-after']).toBeDefined();
    } finally {
      await capped.close();
    }
  });
});
