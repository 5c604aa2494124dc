import type { Connection, Transaction } from '@mikro-orm/core';
import type { AbstractSqlConnection } from '@mikro-orm/sql';
import type pg from 'pg';

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

/**
 * The rows of one read-only statement in a transaction of one tenant, in one round trip: the opening, the tenant's
 * setting, the statement and the commit go as one simple query (`?` placeholders filled with quoted values by the
 * platform, as MikroORM sends each of its statements), and the application's client puts the role switch after the
 * opening. For a hot read; `inTenantTransaction` for anything else. A failure closes the connection instead of
 * giving it back to the pool, so that no connection goes back with a transaction of the tenant's open or failed.
 */
export async function readInTenant<T>(
  connection: AbstractSqlConnection,
  tenantId: string,
  sql: string,
  params: unknown[],
): Promise<T[]> {
  const platform = connection.getPlatform();
  const setting = platform.formatQuery('select set_config(?, ?, true)', [TENANT_SETTING, tenantId]);
  const text = `begin; ${setting}; ${platform.formatQuery(sql, params)}; commit`;
  const pool = (await connection.getNativeClient()) as pg.Pool;
  const client = await pool.connect();
  try {
    // The opening's, the setting's, the statement's and the commit's results.
    const results = (await client.query(text)) as unknown as pg.QueryResult[];
    const rows = results[2]!.rows as T[];
    client.release();
    return rows;
  } catch (error) {
    client.release(error instanceof Error ? error : new Error(String(error)));
    throw error;
  }
}
