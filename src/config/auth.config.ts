import { randomBytes } from 'node:crypto';
import type { EnvReader } from './env-reader.js';
import type { ProviderMode } from './providers.config.js';

export interface AuthConfig {
  /** HS256 secret for verifying bearer tokens. */
  jwtSecret?: string;
  /** The identity provider's key set (RS256/ES256). */
  jwksUrl?: string;
  /** The claim that names the tenant. */
  tenantClaim: string;
  /**
   * True when no auth was configured in sandbox mode and `jwtSecret` was generated at boot: the service then
   * prints a local-only token for a demo tenant. Never true in live mode.
   */
  developmentSecret: boolean;
}

export function readAuthConfig(env: EnvReader, mode: ProviderMode): AuthConfig {
  const jwtSecret = env.string('AUTH_JWT_SECRET');
  if (jwtSecret !== undefined && jwtSecret.length < 32) {
    env.problem('AUTH_JWT_SECRET', 'must be at least 32 characters long');
  }
  const jwksUrl = env.url('AUTH_JWKS_URL', { protocols: ['https:', 'http:'] });
  const tenantClaim = env.string('AUTH_TENANT_CLAIM', 'tenant_id');
  const configured = env.has('AUTH_JWT_SECRET') || env.has('AUTH_JWKS_URL');
  if (!configured && mode === 'live') {
    env.problem('AUTH_JWT_SECRET', 'or AUTH_JWKS_URL is required when PROVIDER_MODE is live');
  }
  if (!configured && mode === 'sandbox') {
    return { jwtSecret: randomBytes(32).toString('base64url'), tenantClaim, developmentSecret: true };
  }
  return { jwtSecret, jwksUrl, tenantClaim, developmentSecret: false };
}
