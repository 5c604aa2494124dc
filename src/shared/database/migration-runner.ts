import type { MikroORM as AnyMikroORM } from '@mikro-orm/core';
import { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { ormOptions } from './orm-options.js';

/** Any constant; the same for every instance of the service, so that only one migrates at a time. */
const MIGRATION_LOCK_KEY = 7_205_001;

/**
 * Applies pending migrations as the URL's user (the tables' owner), on an ORM of its own (the application's runs
 * as `numbers_app`, which may not change the schema), while holding a PostgreSQL advisory lock, so that several
 * instances starting together apply each migration once. Returns the names applied.
 */
export async function runMigrations(ownerUrl: string): Promise<string[]> {
  const lock = new pg.Client({ connectionString: ownerUrl });
  await lock.connect();
  try {
    // Simple queries (no parameters): one protocol message each, which the embedded database's one shared
    // backend cannot interleave with another connection's statements.
    await lock.query(`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`);
    const orm = await MikroORM.init(ormOptions(ownerUrl, 1, 'owner'));
    try {
      const applied = await orm.migrator.up();
      return applied.map((migration) => migration.name);
    } finally {
      await orm.close();
    }
  } finally {
    await lock.query(`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`).catch(() => undefined);
    await lock.end();
  }
}

export async function pendingMigrations(orm: AnyMikroORM): Promise<string[]> {
  const pending = await orm.migrator.getPending();
  return pending.map((migration) => migration.name);
}
