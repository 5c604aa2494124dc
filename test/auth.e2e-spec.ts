import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SignJWT } from 'jose';
import { EntityManager as EntityManagerToken } from '@mikro-orm/postgresql';
import request from 'supertest';
import { createTestApp, type TestApp } from './support/test-app.js';
import { bearer } from './support/tokens.js';

describe('authentication', () => {
  let t: TestApp;
  const http = () => request(t.app.getHttpServer());
  const sign = (
    claims: Record<string, unknown>,
    secret = t.config.auth.jwtSecret!,
    exp: string | number = '1h',
  ) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime(exp)
      .sign(new TextEncoder().encode(secret));

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('lets a valid token in and creates its tenant once, even when its first requests race', async () => {
    const auth = await bearer(t.config, 'acme');
    const answers = await Promise.all(
      [1, 2, 3, 4].map(() => http().get('/api/projects').set('Authorization', auth)),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    const rows = await t.app
      .get(EntityManagerToken)
      .fork()
      .execute("select count(*)::int as n from tenant where external_id = 'acme'");
    expect(rows[0].n).toBe(1);
  });

  it('takes the authentication scheme in any case, as HTTP defines it', async () => {
    const [, token] = (await bearer(t.config, 'acme')).split(' ');
    for (const scheme of ['bearer', 'BEARER']) {
      await http().get('/api/projects').set('Authorization', `${scheme} ${token}`).expect(200);
    }
  });

  it.each([
    ['no header', undefined],
    ['not a bearer', 'Basic YWxhZGRpbjpvcGVuc2VzYW1l'],
    ['garbage', 'Bearer not.a.jwt'],
    ['empty bearer', 'Bearer '],
  ])('refuses %s with 401 AUTH.INVALID_TOKEN', async (_name, header) => {
    const req = http().get('/api/projects');
    if (header !== undefined) req.set('Authorization', header);
    const res = await req.expect(401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.code).toBe('AUTH.INVALID_TOKEN');
    expect(res.headers['www-authenticate']).toBe('Bearer');
  });

  it('refuses expired, wrongly signed, unsigned and tenant-less tokens', async () => {
    const tokens = [
      await sign(
        { sub: 'u', tenant_id: 'acme' },
        t.config.auth.jwtSecret!,
        Math.floor(Date.now() / 1000) - 60,
      ),
      await sign({ sub: 'u', tenant_id: 'acme' }, 'x'.repeat(40)),
      await sign({ sub: 'u' }),
      await sign({ tenant_id: 'acme' }),
      await sign({ sub: 'u', tenant_id: 42 }),
      `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"u","tenant_id":"acme"}').toString('base64url')}.`,
    ];
    for (const token of tokens) {
      const res = await http().get('/api/projects').set('Authorization', `Bearer ${token}`);
      expect([res.status, res.body.code]).toEqual([401, 'AUTH.INVALID_TOKEN']);
    }
  });

  it('leaves health, metrics and docs open', async () => {
    await http().get('/health/live').expect(200);
    await http().get('/docs-json').expect(200);
  });
});
