import { Injectable } from '@nestjs/common';

/**
 * Runs work outside an HTTP request (the outbox relay, jobs) inside one tenant's scope, so that the
 * tenant filter and row-level security apply as they do for a request. The tenancy module provides the
 * real one (`SharedModule.forRoot({ tenantScopeRunner })`); until then the default runs `fn` as is.
 */
export abstract class TenantScopeRunner {
  abstract run<T>(tenantId: string, fn: () => Promise<T>): Promise<T>;
}

@Injectable()
export class PassThroughTenantScopeRunner extends TenantScopeRunner {
  run<T>(_tenantId: string, fn: () => Promise<T>): Promise<T> {
    return fn();
  }
}
