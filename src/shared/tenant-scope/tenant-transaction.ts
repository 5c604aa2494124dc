import type { Connection, Transaction } from '@mikro-orm/core';

/** The PostgreSQL setting the row-level security policies read (`current_setting('app.tenant_id')`). */
export const TENANT_SETTING = 'app.tenant_id';

/**
 * Runs raw SQL in a transaction of one tenant (`app.tenant_id` set for it), for code that holds the tenant's id
 * rather than a tenant-scoped EntityManager: the policies then admit that tenant's rows and no other's.
 */
export function inTenantTransaction<T>(
  connection: Connection,
  tenantId: string,
  work: (trx: Transaction) => Promise<T>,
): Promise<T> {
  return connection.transactional(work, { sessionContext: { variables: { [TENANT_SETTING]: tenantId } } });
}
