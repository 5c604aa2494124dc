import { Injectable } from '@nestjs/common';
import { RequestContext } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { ClsService } from 'nestjs-cls';
import { TenantScopeRunner } from '../../shared/tenant-scope/tenant-scope.runner.js';
import { TENANT_FILTER } from './tenant-owned.js';

const TENANT_ID = 'tenancy.tenantId';
const USER_ID = 'tenancy.userId';

/** Thrown when code that needs a tenant runs outside any tenant scope: a programming error, never a 4xx. */
export class TenantScopeMissingError extends Error {
  constructor() {
    super('No tenant scope: run tenant work inside a request or TenantScope.run(tenantId, fn)');
    this.name = 'TenantScopeMissingError';
  }
}

/**
 * The tenant of the work in progress, and the only source of tenant identity for reads. An HTTP request enters it
 * in the auth guard; background work (the outbox relay, jobs) enters it with `run(tenantId, fn)`.
 *
 * Entering a tenant sets the `tenant` filter's params on the context's EntityManager, and through them stages
 * `app.tenant_id` with `set_config(..., true)` at the start of each transaction. (Every statement of the
 * application runs as the role `numbers_app` whatever the scope: see `AppRoleClient`.)
 */
@Injectable()
export class TenantScope extends TenantScopeRunner {
  constructor(
    private readonly cls: ClsService,
    private readonly em: EntityManager,
  ) {
    super();
  }

  /** The current tenant's id; throws `TenantScopeMissingError` outside a tenant scope. */
  get tenantId(): string {
    const id = this.cls.isActive() ? this.cls.get<string | undefined>(TENANT_ID) : undefined;
    if (!id) throw new TenantScopeMissingError();
    return id;
  }

  /** The authenticated user (`sub`), when the scope comes from a request. */
  get userId(): string | undefined {
    return this.cls.isActive() ? this.cls.get<string | undefined>(USER_ID) : undefined;
  }

  get isActive(): boolean {
    return this.cls.isActive() && this.cls.get(TENANT_ID) !== undefined;
  }

  /**
   * Runs `work` for one tenant, with an EntityManager and a context of its own (nothing leaks in from the caller's
   * scope or out to it). For background work and for requests that learn their tenant late (the Vapi webhook).
   */
  run<T>(tenantId: string, work: () => Promise<T>): Promise<T> {
    return this.cls.run({ ifNested: 'override' }, () =>
      RequestContext.create(this.em, () => {
        this.enter(tenantId);
        return work();
      }),
    );
  }

  /** Enters a tenant in the current context (the auth guard does this once per request). */
  enter(tenantId: string, userId?: string): void {
    this.cls.set(TENANT_ID, tenantId);
    if (userId !== undefined) this.cls.set(USER_ID, userId);
    this.em.setFilterParams(TENANT_FILTER, { tenantId });
  }
}
