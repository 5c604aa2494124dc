import type { EntityClass } from '@mikro-orm/core';
import { Filter } from '@mikro-orm/decorators/legacy';

/** The MikroORM filter every tenant-owned entity carries. */
export const TENANT_FILTER = 'tenant';
/** The PostgreSQL setting the row-level security policies read (`current_setting('app.tenant_id')`). */
export const TENANT_SETTING = 'app.tenant_id';
/** The role the service's transactions run as: it owns no table, so the policies apply to it. */
export const SERVICE_ROLE = 'numbers_app';

/**
 * Marks an entity as owned by a tenant (it has a `tenantId` property and its table a row-level security policy).
 * Reads are filtered by the current tenant by default; a read without a tenant set throws ("No arguments provided
 * for filter 'tenant'") instead of returning every tenant's rows. Setting the filter's params also stages
 * `app.tenant_id` for each transaction (MikroORM's `rls` filters), so the database applies the same rule.
 */
export function TenantOwned(): (target: EntityClass<{ tenantId: string }>) => void {
  return Filter<EntityClass<{ tenantId: string }>>({
    name: TENANT_FILTER,
    cond: (args) => ({ tenantId: args.tenantId as string }),
    default: true,
    rls: { setting: TENANT_SETTING },
  });
}
