import { describe, expect, it } from '@jest/globals';
import { SignJWT } from 'jose';
import type { AuthConfig } from '../../config/index.js';
import { JwtVerifier } from './jwt-verifier.js';
import { REMEMBER_VERIFIED_MS, VerifiedTokens } from './verified-tokens.js';

const SECRET = 'a-secret-for-the-verifier-spec-of-32+-chars';
const identity = { tenant: 'acme', userId: 'user-1' };
const DAY = 86_400;
/** 2026-11-24T12:00:00Z, in milliseconds and in seconds. */
const T0 = Date.parse('2026-11-24T12:00:00.000Z');
const S0 = T0 / 1000;

describe('VerifiedTokens', () => {
  it('takes a remembered token for a minute at most', () => {
    const tokens = new VerifiedTokens<typeof identity>();
    tokens.remember('t', identity, { exp: S0 + 3_600, iat: S0 }, DAY, T0);
    expect(tokens.get('t', T0)).toEqual(identity);
    expect(tokens.get('t', T0 + REMEMBER_VERIFIED_MS - 1)).toEqual(identity);
    expect(tokens.get('t', T0 + REMEMBER_VERIFIED_MS)).toBeUndefined();
    expect(tokens.get('t', T0)).toBeUndefined();
  });

  it('never takes a token at or after its exp', () => {
    const tokens = new VerifiedTokens<typeof identity>();
    tokens.remember('t', identity, { exp: S0 + 5, iat: S0 - 100 }, DAY, T0);
    expect(tokens.get('t', T0 + 4_999)).toEqual(identity);
    expect(tokens.get('t', T0 + 5_000)).toBeUndefined();
  });

  it('never takes a token older than the maximum age, whatever its exp', () => {
    const tokens = new VerifiedTokens<typeof identity>();
    tokens.remember('t', identity, { exp: S0 + DAY, iat: S0 - 3_590 }, 3_600, T0);
    expect(tokens.get('t', T0 + 9_999)).toEqual(identity);
    expect(tokens.get('t', T0 + 10_000)).toBeUndefined();
  });

  it('does not remember a token with no time left', () => {
    const tokens = new VerifiedTokens<typeof identity>();
    tokens.remember('t', identity, { exp: S0, iat: S0 - 10 }, DAY, T0);
    expect(tokens.get('t', T0)).toBeUndefined();
  });

  it('takes only the very token remembered, and forgets the longest-known beyond a thousand', () => {
    const tokens = new VerifiedTokens<typeof identity>();
    const claims = { exp: S0 + 3_600, iat: S0 };
    for (let i = 0; i <= 1_000; i++)
      tokens.remember(`t${i}`, { ...identity, userId: `u${i}` }, claims, DAY, T0);
    expect(tokens.get('t0', T0)).toBeUndefined();
    expect(tokens.get('t1', T0)).toEqual({ ...identity, userId: 'u1' });
    expect(tokens.get('t1000', T0)).toEqual({ ...identity, userId: 'u1000' });
    expect(tokens.get('t10000', T0)).toBeUndefined();
  });
});

describe('JwtVerifier', () => {
  const auth = {
    jwtSecret: SECRET,
    tenantClaim: 'tenant_id',
    maxTokenAgeSeconds: DAY,
    developmentSecret: false,
  } as AuthConfig;
  const iat = Math.floor(Date.now() / 1000);
  /** The same claims each time, signed with `secret`. */
  const sign = (secret = SECRET) =>
    new SignJWT({ tenant_id: 'acme' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('user-1')
      .setIssuedAt(iat)
      .setExpirationTime(iat + 3_600)
      .sign(new TextEncoder().encode(secret));

  it('takes a token again, and refuses another signature on the same claims after it', async () => {
    const verifier = new JwtVerifier(auth);
    const token = await sign();
    expect(await verifier.verify(`Bearer ${token}`)).toEqual(identity);
    expect(await verifier.verify(`Bearer ${token}`)).toEqual(identity);
    const [header, payload] = token.split('.');
    const other = (await sign('another-secret-of-at-least-32-characters!!')).split('.');
    expect(other[1]).toBe(payload);
    const forged = other[2];
    await expect(verifier.verify(`Bearer ${header}.${payload}.${forged}`)).rejects.toMatchObject({
      code: 'AUTH.INVALID_TOKEN',
    });
  });
});
