import { SignJWT } from 'jose';
import type { AuthConfig } from '../../config/index.js';

export const DEMO_TENANT = 'demo-tenant';

const TWELVE_HOURS = 12 * 3_600;

type MintingConfig = Pick<AuthConfig, 'jwtSecret' | 'tenantClaim'> &
  Partial<Pick<AuthConfig, 'issuer' | 'audience' | 'maxTokenAgeSeconds'>>;

/** Mints an HS256 token as the identity provider would: with `iss` and `aud` when they are configured. */
export async function mintToken(
  auth: MintingConfig,
  claims: { tenant: string; userId: string },
): Promise<string> {
  if (!auth.jwtSecret) throw new Error('mintToken needs an HS256 secret');
  const jwt = new SignJWT({ [auth.tenantClaim]: claims.tenant })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.userId)
    .setIssuedAt()
    .setExpirationTime(`${tokenLifetimeSeconds(auth)}s`);
  if (auth.issuer) jwt.setIssuer(auth.issuer);
  if (auth.audience) jwt.setAudience(auth.audience);
  return jwt.sign(new TextEncoder().encode(auth.jwtSecret));
}

/** 12 hours, or less when tokens may not be that old. */
function tokenLifetimeSeconds(auth: MintingConfig): number {
  return Math.min(TWELVE_HOURS, auth.maxTokenAgeSeconds ?? TWELVE_HOURS);
}

/**
 * In sandbox mode without configured auth, the secret was generated at boot: returns the lines that hand the
 * developer a ready-to-use token for a demo tenant, or nothing when auth is configured (live mode and
 * NODE_ENV=production always are).
 */
export async function developmentTokenNotice(auth: AuthConfig, baseUrl: string): Promise<string | undefined> {
  const token = await developmentToken(auth);
  if (!token) return undefined;
  const hours = Math.round((tokenLifetimeSeconds(auth) / 3_600) * 10) / 10;
  return [
    'LOCAL USE ONLY: no AUTH_JWT_SECRET or AUTH_JWKS_URL is set, so this sandbox generated a secret that lasts',
    `until it stops. A token for the tenant "${DEMO_TENANT}", valid ${hours} hours:`,
    `  export TOKEN=${token}`,
    `  curl -H "Authorization: Bearer $TOKEN" ${baseUrl}/api/projects`,
    '',
  ].join('\n');
}

/**
 * A token for the demo tenant when the secret was generated at boot (sandbox mode without configured auth), for
 * the console to offer; undefined otherwise (live mode and NODE_ENV=production always).
 */
export async function developmentToken(auth: AuthConfig): Promise<string | undefined> {
  if (!auth.developmentSecret) return undefined;
  return mintToken(auth, { tenant: DEMO_TENANT, userId: 'demo-user' });
}
