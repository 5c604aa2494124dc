import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { TenantScope } from '../tenant-scope/tenant-scope.js';
import { JwtVerifier } from './jwt-verifier.js';
import { PUBLIC_ROUTE } from '../../shared/http/public.decorator.js';
import { TOKEN_COOKIE_ROUTE, bearerFromCookie } from '../../shared/http/token-cookie.js';
import { TenantDirectory } from './tenant-directory.js';

/**
 * Deny by default: every route the application registers needs a bearer token, unless its handler or controller
 * is marked `@Public()` (health, metrics, the Vapi webhook, which has its own guard). The decision is made from
 * the route's metadata only, never from the request's path: the router matches paths case-insensitively and
 * with or without a trailing slash, so any test of the path would be one spelling away from being bypassed.
 * A valid token enters the request into its tenant's scope; the tenant row is created the first time it is seen.
 * The token is the `Authorization` header's, or on a route marked `@AcceptsTokenCookie()` (a read-only stream a
 * browser's EventSource opens) the `numbers_token` cookie's when there is no header.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: JwtVerifier,
    private readonly tenants: TenantDirectory,
    private readonly scope: TenantScope,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean | undefined>(PUBLIC_ROUTE, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic === true) return true;

    const request = context.switchToHttp().getRequest<Request>();
    // A browser's EventSource cannot send the header: a route that only streams may take the cookie instead.
    const cookieAllowed = this.reflector.get<boolean | undefined>(TOKEN_COOKIE_ROUTE, context.getHandler());
    const authorization =
      request.headers.authorization ?? (cookieAllowed === true ? bearerFromCookie(request) : undefined);
    const identity = await this.verifier.verify(authorization);
    const tenantId = await this.tenants.ensure(identity.tenant);
    this.scope.enter(tenantId, identity.userId);
    return true;
  }
}
