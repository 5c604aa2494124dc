import type { Connection, Transaction } from '@mikro-orm/core';
import type { AbstractSqlConnection, SqlEntityManager } from '@mikro-orm/sql';
import type pg from 'pg';

/** The PostgreSQL setting the row-level security policies read (`current_setting('app.tenant_id')`). */
export const TENANT_SETTING = 'app.tenant_id';

/**
 * A timestamp column as text in the form `Date.prototype.toISOString` writes (UTC, milliseconds, truncated as a
 * `Date` truncates), named `name`: for rows read without an entity that answer as the entity's `toISOString` would.
 */
export function isoTimestamp(column: string, name: string): string {
  return `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "${name}"`;
}

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

/** A statement with `?` placeholders and their values, as `em.execute` takes them. */
export interface SqlStatement {
  sql: string;
  params: unknown[];
}

/**
 * A whole transaction of one tenant in one round trip: the opening, the tenant's setting, `statements` and the commit
 * go as one simple query (`?` placeholders filled with quoted values by the platform, as MikroORM sends each of its
 * statements), and the application's client puts the role switch after the opening. Answers each statement's rows.
 *
 * When a statement fails, none after it runs (the commit included): the transaction, left failed, is rolled back
 * before the connection goes back to the pool, and a connection that cannot roll back is closed instead, so that no
 * connection goes back with a transaction of the tenant's open or failed.
 */
export async function runInTenant(
  connection: AbstractSqlConnection,
  tenantId: string,
  statements: readonly SqlStatement[],
): Promise<unknown[][]> {
  const platform = connection.getPlatform();
  const texts = [
    platform.formatQuery('select set_config(?, ?, true)', [TENANT_SETTING, tenantId]),
    ...statements.map(({ sql, params }) => platform.formatQuery(sql, params)),
  ];
  const pool = (await connection.getNativeClient()) as pg.Pool;
  const client = await pool.connect();
  let results: pg.QueryResult[];
  try {
    results = (await client.query(`begin; ${texts.join('; ')}; commit`)) as unknown as pg.QueryResult[];
  } catch (error) {
    try {
      // The server's status is known by now (the client waits for it before answering a failure).
      if (client.getTransactionStatus() !== 'I') await client.query('rollback');
      client.release();
    } catch (rollbackError) {
      client.release(rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError)));
    }
    throw error;
  }
  client.release();
  // The opening's and the setting's results first, the commit's last.
  return results.slice(2, -1).map((result) => result.rows as unknown[]);
}

/**
 * The rows of one read-only statement in a transaction of one tenant, in one round trip (`runInTenant`): for a hot
 * read.
 */
export async function readInTenant<T>(
  connection: AbstractSqlConnection,
  tenantId: string,
  sql: string,
  params: unknown[],
): Promise<T[]> {
  const [rows] = await runInTenant(connection, tenantId, [{ sql, params }]);
  return rows as T[];
}

/**
 * One row by a read-only statement whose first parameter is the tenant's id (named as the ORM's filter would, under
 * the row-level security that admits its rows only): outside a transaction in one round trip (`readInTenant`), with
 * no entity built; inside the caller's transaction, `inTransaction` reads it there, as it may hold what that
 * transaction wrote, and a second connection of the pool taken while it holds one could wait forever.
 */
export async function readRowInTenant<T>(
  em: SqlEntityManager,
  tenantId: () => string,
  sql: string,
  params: unknown[],
  inTransaction: () => Promise<T | undefined>,
): Promise<T | undefined> {
  if (em.isInTransaction()) return inTransaction();
  const id = tenantId();
  const [row] = await readInTenant<T>(em.getConnection(), id, sql, [id, ...params]);
  return row;
}
