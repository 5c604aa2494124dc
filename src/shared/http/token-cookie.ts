import { SetMetadata } from '@nestjs/common';
import type { Request } from 'express';

export const TOKEN_COOKIE_ROUTE = 'tenancy:token-cookie';

/**
 * The cookie a browser's `EventSource` carries the bearer token in, since it cannot set headers. Set by the
 * console with `Path=/api/numbers; SameSite=Strict` (never sent by another site's page), and read only on routes
 * marked `@AcceptsTokenCookie()`: read-only streams, so that a cookie can never make a request that changes
 * anything.
 */
export const TOKEN_COOKIE = 'numbers_token';

/** Lets a route (a GET that changes nothing) take its bearer token from the `numbers_token` cookie too. */
export const AcceptsTokenCookie = (): MethodDecorator => SetMetadata(TOKEN_COOKIE_ROUTE, true);

/** `Bearer <the cookie's token>`, as an Authorization header would say it; undefined without the cookie. */
export function bearerFromCookie(req: Request): string | undefined {
  for (const pair of (req.headers.cookie ?? '').split(';')) {
    const at = pair.indexOf('=');
    if (at < 0 || pair.slice(0, at).trim() !== TOKEN_COOKIE) continue;
    const value = pair.slice(at + 1).trim();
    // A JWT is base64url and dots: nothing to decode (a malformed value fails verification like a bad header).
    return value ? `Bearer ${value}` : undefined;
  }
  return undefined;
}
