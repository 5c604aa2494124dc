import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { TenantScope } from '../tenant-scope/tenant-scope.js';
import { JwtVerifier } from './jwt-verifier.js';
import { PUBLIC_ROUTE } from './public.decorator.js';
import { TenantDirectory } from './tenant-directory.js';

/**
 * Every `/api` route needs a bearer token, unless marked `@Public()`. A valid token enters the request into its
 * tenant's scope; the tenant row is created the first time it is seen.
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
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<Request>();
    if (!/^\/api(\/|$)/.test(request.path)) return true;
    const isPublic = this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;

    const identity = await this.verifier.verify(request.headers.authorization);
    this.scope.useServiceRole();
    const tenantId = await this.tenants.ensure(identity.tenant);
    this.scope.enter(tenantId, identity.userId);
    return true;
  }
}
