import type { EntityClass } from '@mikro-orm/core';
import { Filter } from '@mikro-orm/decorators/legacy';
import { TENANT_SETTING } from '../../shared/tenant-scope/tenant-transaction.js';

/** The MikroORM filter every tenant-owned entity carries. */
export const TENANT_FILTER = 'tenant';

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
