import { SignJWT } from 'jose';
import type { AuthConfig } from '../../config/index.js';

export const DEMO_TENANT = 'demo-tenant';

/** Mints an HS256 token as the identity provider would. */
export async function mintToken(
  auth: Pick<AuthConfig, 'jwtSecret' | 'tenantClaim'>,
  claims: { tenant: string; userId: string; expiresIn?: string },
): Promise<string> {
  if (!auth.jwtSecret) throw new Error('mintToken needs an HS256 secret');
  return new SignJWT({ [auth.tenantClaim]: claims.tenant })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.userId)
    .setIssuedAt()
    .setExpirationTime(claims.expiresIn ?? '12h')
    .sign(new TextEncoder().encode(auth.jwtSecret));
}

/**
 * In sandbox mode without configured auth, the secret was generated at boot: returns the lines that hand the
 * developer a ready-to-use token for a demo tenant, or nothing when auth is configured (live mode always is).
 */
export async function developmentTokenNotice(auth: AuthConfig, baseUrl: string): Promise<string | undefined> {
  if (!auth.developmentSecret) return undefined;
  const token = await mintToken(auth, { tenant: DEMO_TENANT, userId: 'demo-user' });
  return [
    'LOCAL USE ONLY: no AUTH_JWT_SECRET or AUTH_JWKS_URL is set, so this sandbox generated a secret that lasts',
    `until it stops. A token for the tenant "${DEMO_TENANT}", valid 12 hours:`,
    `  export TOKEN=${token}`,
    `  curl -H "Authorization: Bearer $TOKEN" ${baseUrl}/api/projects`,
    '',
  ].join('\n');
}
