import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import request from 'supertest';
import { createTestApp, type TestApp } from './support/test-app.js';

/** The identity provider's side: a key set served over HTTP, and tokens signed with its private key. */
describe('bearer tokens verified with the identity provider’s key set (AUTH_JWKS_URL)', () => {
  let t: TestApp;
  let jwks: Server;
  let fetches = 0;
  let signingKey: CryptoKey;
  let strangerKey: CryptoKey;

  const token = (key: CryptoKey, claims: Record<string, unknown> = { tenant_id: 'jwks-tenant' }) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: 'idp-key-1' })
      .setSubject('user-1')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(key);

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256');
    signingKey = pair.privateKey;
    strangerKey = (await generateKeyPair('ES256')).privateKey;
    const publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'idp-key-1', alg: 'ES256', use: 'sig' };
    jwks = createServer((_req, res) => {
      fetches += 1;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [publicJwk] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', () => resolve()));
    const { port } = jwks.address() as { port: number };
    t = await createTestApp({ env: { AUTH_JWKS_URL: `http://127.0.0.1:${port}/.well-known/jwks.json` } });
  });
  afterAll(async () => {
    await t.close();
    await new Promise((resolve) => jwks.close(resolve));
  });

  it('lets a token signed by the provider in, fetching the key set once for many requests', async () => {
    const auth = `Bearer ${await token(signingKey)}`;
    await request(t.app.getHttpServer()).get('/api/projects').set('Authorization', auth).expect(200);
    await request(t.app.getHttpServer()).get('/api/projects').set('Authorization', auth).expect(200);
    expect(fetches).toBe(1);
  });

  it.each([
    ['a token signed by another key under the same key id', () => token(strangerKey)],
    ['a token without the tenant claim', () => token(signingKey, { org: 'x' })],
    [
      'an HS256 token (no shared secret is configured)',
      () =>
        new SignJWT({ tenant_id: 'jwks-tenant' })
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject('user-1')
          .setExpirationTime('5m')
          .sign(new TextEncoder().encode('x'.repeat(40))),
    ],
  ])('refuses %s with 401 AUTH.INVALID_TOKEN', async (_name, make) => {
    const res = await request(t.app.getHttpServer())
      .get('/api/projects')
      .set('Authorization', `Bearer ${await make()}`)
      .expect(401);
    expect(res.body.code).toBe('AUTH.INVALID_TOKEN');
  });
});
