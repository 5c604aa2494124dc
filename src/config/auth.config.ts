import { randomBytes } from 'node:crypto';
import type { EnvReader } from './env-reader.js';
import type { ProviderMode } from './providers.config.js';

export abstract class AuthConfig {
  /** HS256 secret for verifying bearer tokens. */
  abstract jwtSecret?: string;
  /** The identity provider's key set (RS256/ES256). */
  abstract jwksUrl?: string;
  /** The claim that names the tenant. */
  abstract tenantClaim: string;
  /** The `iss` every token must carry, when set. */
  abstract issuer?: string;
  /** The `aud` every token must carry, when set. */
  abstract audience?: string;
  /** Oldest `iat` accepted, in seconds: a token older than this is refused whatever its `exp` says. */
  abstract maxTokenAgeSeconds: number;
  /**
   * True when no auth was configured in sandbox mode and `jwtSecret` was generated at boot: the service then
   * prints a local-only token for a demo tenant. Never true in live mode nor with NODE_ENV=production.
   */
  abstract developmentSecret: boolean;
}

const DAY = 86_400;

export function readAuthConfig(env: EnvReader, mode: ProviderMode, production: boolean): AuthConfig {
  const jwtSecret = env.string('AUTH_JWT_SECRET');
  if (jwtSecret !== undefined && jwtSecret.length < 32) {
    env.problem('AUTH_JWT_SECRET', 'must be at least 32 characters long');
  }
  // Keys fetched over plain HTTP could be swapped on the way: anyone on the path could then mint tokens.
  const strict = mode === 'live' || production;
  const jwksUrl = env.url('AUTH_JWKS_URL', { protocols: strict ? ['https:'] : ['https:', 'http:'] });
  const tenantClaim = env.string('AUTH_TENANT_CLAIM', 'tenant_id');
  const issuer = env.string('AUTH_ISSUER');
  const audience = env.string('AUTH_AUDIENCE');
  const maxTokenAgeSeconds = env.durationSeconds('AUTH_MAX_TOKEN_AGE', DAY, { min: 60, max: 30 * DAY });
  if (mode === 'live' && env.has('AUTH_JWKS_URL')) {
    // An identity provider's keys sign tokens for many applications: only iss and aud say a token is for us.
    const why = 'when PROVIDER_MODE is live and AUTH_JWKS_URL is set';
    env.require('AUTH_ISSUER', issuer, why);
    env.require('AUTH_AUDIENCE', audience, why);
  }
  const configured = env.has('AUTH_JWT_SECRET') || env.has('AUTH_JWKS_URL');
  if (!configured && production) {
    env.problem('AUTH_JWT_SECRET', 'or AUTH_JWKS_URL is required when NODE_ENV is production');
  } else if (!configured && mode === 'live') {
    env.problem('AUTH_JWT_SECRET', 'or AUTH_JWKS_URL is required when PROVIDER_MODE is live');
  }
  const common = { tenantClaim, issuer, audience, maxTokenAgeSeconds };
  if (!configured && mode === 'sandbox' && !production) {
    return { ...common, jwtSecret: randomBytes(32).toString('base64url'), developmentSecret: true };
  }
  return { ...common, jwtSecret, jwksUrl, developmentSecret: false };
}
