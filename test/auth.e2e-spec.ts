import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SignJWT } from 'jose';
import request from 'supertest';
import { createTestApp, type TestApp } from './support/test-app.js';
import { developmentTokenNotice } from '../src/tenancy/index.js';
import { bearer } from './support/tokens.js';

const now = () => Math.floor(Date.now() / 1000);
const HOUR = 3_600;

/** An HS256 token with exactly the claims given (no default `iat`, `exp`, `iss` or `aud`). */
const signRaw = (claims: Record<string, unknown>, secret: string) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(secret));

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
    const rows = await t.ownerQuery<{ n: number }>(
      "select count(*)::int as n from tenant where external_id = 'acme'",
    );
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

  it('requires iat and refuses a token older than AUTH_MAX_TOKEN_AGE (24 h by default), whatever its exp', async () => {
    const secret = t.config.auth.jwtSecret!;
    const claims = { sub: 'u', tenant_id: 'acme', exp: now() + 30 * 24 * HOUR };
    const status = async (token: string) =>
      (await http().get('/api/projects').set('Authorization', `Bearer ${token}`)).status;
    expect(t.config.auth.maxTokenAgeSeconds).toBe(24 * HOUR);
    expect(await status(await signRaw({ ...claims, iat: now() - 23 * HOUR }, secret))).toBe(200);
    expect(await status(await signRaw({ ...claims, iat: now() - 25 * HOUR }, secret))).toBe(401);
    expect(await status(await signRaw(claims, secret))).toBe(401); // no iat
    expect(await status(await signRaw({ ...claims, iat: now() + HOUR }, secret))).toBe(401); // issued in the future
  });

  it('leaves health, metrics and docs open', async () => {
    await http().get('/health/live').expect(200);
    await http().get('/docs-json').expect(200);
  });
});

describe('authentication with AUTH_ISSUER, AUTH_AUDIENCE and AUTH_MAX_TOKEN_AGE', () => {
  const ISSUER = 'https://id.example.test/';
  const AUDIENCE = 'afterhourfix-numbers';
  const SECRET = 'issuer-audience-test-secret-0000000000001';
  let t: TestApp;
  const status = async (token: string) =>
    (await request(t.app.getHttpServer()).get('/api/projects').set('Authorization', `Bearer ${token}`))
      .status;
  const fresh = { sub: 'u', tenant_id: 'acme', exp: now() + HOUR, iat: now() };

  beforeAll(async () => {
    t = await createTestApp({
      env: {
        AUTH_JWT_SECRET: SECRET,
        AUTH_ISSUER: ISSUER,
        AUTH_AUDIENCE: AUDIENCE,
        AUTH_MAX_TOKEN_AGE: '1h',
      },
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it('takes a token of the configured issuer for the configured audience, and the helper mints such tokens', async () => {
    expect(await status(await signRaw({ ...fresh, iss: ISSUER, aud: AUDIENCE }, SECRET))).toBe(200);
    expect(await status(await signRaw({ ...fresh, iss: ISSUER, aud: [AUDIENCE, 'other'] }, SECRET))).toBe(
      200,
    );
    const res = await request(t.app.getHttpServer())
      .get('/api/projects')
      .set('Authorization', await bearer(t.config, 'acme'));
    expect(res.status).toBe(200);
  });

  it.each([
    ['another issuer', { iss: 'https://evil.example.test/', aud: AUDIENCE }],
    ['no issuer', { aud: AUDIENCE }],
    ['another audience', { iss: ISSUER, aud: 'some-other-api' }],
    ['no audience', { iss: ISSUER }],
  ])('refuses a token with %s', async (_name, claims) => {
    expect(await status(await signRaw({ ...fresh, ...claims }, SECRET))).toBe(401);
  });

  it('refuses a token issued longer ago than AUTH_MAX_TOKEN_AGE even though it has not expired', async () => {
    const claims = { ...fresh, iss: ISSUER, aud: AUDIENCE, exp: now() + 24 * HOUR };
    expect(await status(await signRaw({ ...claims, iat: now() - 50 * 60 }, SECRET))).toBe(200);
    expect(await status(await signRaw({ ...claims, iat: now() - 70 * 60 }, SECRET))).toBe(401);
  });
});

describe('the development token printed in sandbox mode', () => {
  it('carries the configured issuer and audience, and is accepted', async () => {
    const t = await createTestApp({
      env: { AUTH_ISSUER: 'https://id.example.test/', AUTH_AUDIENCE: 'afterhourfix-numbers' },
    });
    try {
      expect(t.config.auth.developmentSecret).toBe(true);
      const notice = await developmentTokenNotice(t.config.auth, 'http://localhost:3000');
      const token = /export TOKEN=(\S+)/.exec(notice ?? '')?.[1];
      expect(token).toBeDefined();
      const payload = JSON.parse(Buffer.from(token!.split('.')[1]!, 'base64url').toString());
      expect(payload).toMatchObject({ iss: 'https://id.example.test/', aud: 'afterhourfix-numbers' });
      await request(t.app.getHttpServer())
        .get('/api/projects')
        .set('Authorization', `Bearer ${token}`)
        .expect(200);
    } finally {
      await t.close();
    }
  });
});
