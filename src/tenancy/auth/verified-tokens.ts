/** How long a verified token's identity is remembered at most: a minute, never beyond what the token allows. */
export const REMEMBER_VERIFIED_MS = 60_000;

/** How many verified tokens are remembered; beyond, the longest-known is forgotten (and verified again if used). */
const REMEMBERED_TOKENS = 1_000;

/**
 * Identities of tokens verified a moment ago, so that a caller's next requests skip the signature's check (the
 * costliest part of a request that reads a page). An entry lasts until the earliest of the token's `exp`, the end of
 * its `AUTH_MAX_TOKEN_AGE` and a minute after its verification: a remembered token is never taken once it would be
 * refused, and a key withdrawn from the identity provider's set stops being honoured within the minute. Keyed by
 * the whole token, so that only the very token verified is taken.
 */
export class VerifiedTokens<Identity> {
  private readonly entries = new Map<string, { identity: Identity; untilMs: number }>();

  /** The identity of `token` if it was verified and is still within its time, at `nowMs`. */
  get(token: string, nowMs: number): Identity | undefined {
    const entry = this.entries.get(token);
    if (entry === undefined) return undefined;
    if (nowMs < entry.untilMs) return entry.identity;
    this.entries.delete(token);
    return undefined;
  }

  /** Remembers `token`, verified at `nowMs` with the claims `exp` and `iat` (seconds), until it must be checked again. */
  remember(
    token: string,
    identity: Identity,
    claims: { exp: number; iat: number },
    maxTokenAgeSeconds: number,
    nowMs: number,
  ): void {
    const untilMs = Math.min(
      claims.exp * 1000,
      (claims.iat + maxTokenAgeSeconds) * 1000,
      nowMs + REMEMBER_VERIFIED_MS,
    );
    if (untilMs <= nowMs) return;
    if (!this.entries.has(token) && this.entries.size >= REMEMBERED_TOKENS) {
      this.entries.delete(this.entries.keys().next().value!);
    }
    this.entries.set(token, { identity, untilMs });
  }
}
