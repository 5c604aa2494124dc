import { Injectable } from '@nestjs/common';
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey, type JWTVerifyOptions } from 'jose';
import { AuthConfig } from '../../config/index.js';
import { InvalidTokenError } from './auth.errors.js';
import { VerifiedTokens } from './verified-tokens.js';

export interface Identity {
  /** The identity provider's tenant id (the claim `AUTH_TENANT_CLAIM`). */
  tenant: string;
  /** The user (`sub`). */
  userId: string;
}

const MAX_TOKEN_LENGTH = 8_192;
const MAX_CLAIM_LENGTH = 255;

/**
 * Verifies bearer tokens: HS256 with `AUTH_JWT_SECRET`, RS256/ES256 with the keys at `AUTH_JWKS_URL` (jose caches
 * the key set and refetches it when a token names an unknown key). `iss` and `aud` must match `AUTH_ISSUER` and
 * `AUTH_AUDIENCE` when they are set; `iat` is required and no token older than `AUTH_MAX_TOKEN_AGE` is taken,
 * whatever its `exp` says (a leaked long-lived token stops working). Any failure is `AUTH.INVALID_TOKEN`. A token
 * verified is taken again without its signature's check for a minute at most, never beyond its `exp` nor its
 * maximum age (`VerifiedTokens`).
 */
@Injectable()
export class JwtVerifier {
  private readonly secret?: Uint8Array;
  private readonly jwks?: JWTVerifyGetKey;
  private readonly tenantClaim: string;
  private readonly claims: Pick<JWTVerifyOptions, 'issuer' | 'audience' | 'maxTokenAge'>;
  private readonly maxTokenAgeSeconds: number;
  private readonly verified = new VerifiedTokens<Identity>();

  constructor(auth: AuthConfig) {
    this.secret = auth.jwtSecret ? new TextEncoder().encode(auth.jwtSecret) : undefined;
    this.jwks = auth.jwksUrl ? createRemoteJWKSet(new URL(auth.jwksUrl)) : undefined;
    this.tenantClaim = auth.tenantClaim;
    this.claims = { issuer: auth.issuer, audience: auth.audience, maxTokenAge: auth.maxTokenAgeSeconds };
    this.maxTokenAgeSeconds = auth.maxTokenAgeSeconds;
  }

  async verify(authorization: string | undefined): Promise<Identity> {
    const match = /^Bearer ([\w-]+\.[\w-]+\.[\w-]+)$/i.exec(authorization ?? '');
    if (!match || match[1].length > MAX_TOKEN_LENGTH) throw new InvalidTokenError();
    const token = match[1];
    const verifiedAt = Date.now();
    const known = this.verified.get(token, verifiedAt);
    if (known !== undefined) return known;
    const algorithms = [...(this.secret ? ['HS256'] : []), ...(this.jwks ? ['RS256', 'ES256'] : [])];
    try {
      const { payload } = await jwtVerify(
        token,
        async (header, jws) => {
          if (header.alg === 'HS256' && this.secret) return this.secret;
          if (this.jwks) return this.jwks(header, jws);
          throw new InvalidTokenError();
        },
        { algorithms, requiredClaims: ['sub', 'exp', 'iat'], ...this.claims },
      );
      const tenant = payload[this.tenantClaim];
      const userId = payload.sub;
      if (!isClaim(tenant) || !isClaim(userId)) throw new InvalidTokenError();
      const identity = { tenant, userId };
      // `exp` and `iat` are required claims: jose has checked that both are numbers.
      this.verified.remember(
        token,
        identity,
        { exp: payload.exp!, iat: payload.iat! },
        this.maxTokenAgeSeconds,
        verifiedAt,
      );
      return identity;
    } catch {
      throw new InvalidTokenError();
    }
  }
}

function isClaim(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_CLAIM_LENGTH;
}
