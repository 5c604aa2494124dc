import type { EnvReader } from './env-reader.js';

export interface AuthConfig {
  /** HS256 secret for verifying bearer tokens. */
  jwtSecret?: string;
  /** The identity provider's key set (RS256/ES256). */
  jwksUrl?: string;
  /** The claim that names the tenant. */
  tenantClaim: string;
}

export function readAuthConfig(env: EnvReader): AuthConfig {
  const jwtSecret = env.string('AUTH_JWT_SECRET');
  if (jwtSecret !== undefined && jwtSecret.length < 32) {
    env.problem('AUTH_JWT_SECRET', 'must be at least 32 characters long');
  }
  return {
    jwtSecret,
    jwksUrl: env.url('AUTH_JWKS_URL', { protocols: ['https:', 'http:'] }),
    tenantClaim: env.string('AUTH_TENANT_CLAIM', 'tenant_id'),
  };
}
