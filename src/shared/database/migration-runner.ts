import type { MikroORM } from '@mikro-orm/core';
import pg from 'pg';

/** Any constant; the same for every instance of the service, so that only one migrates at a time. */
const MIGRATION_LOCK_KEY = 7_205_001;

/**
 * Applies pending migrations while holding a PostgreSQL advisory lock, so that several instances starting
 * together apply each migration once. Returns the names applied.
 */
export async function runMigrations(orm: MikroORM, url: string): Promise<string[]> {
  const lock = new pg.Client({ connectionString: url });
  await lock.connect();
  try {
    await lock.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const applied = await orm.migrator.up();
    return applied.map((migration) => migration.name);
  } finally {
    await lock.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lock.end();
  }
}

export async function pendingMigrations(orm: MikroORM): Promise<string[]> {
  const pending = await orm.migrator.getPending();
  return pending.map((migration) => migration.name);
}
