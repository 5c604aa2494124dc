import type { EnvReader } from './env-reader.js';

export abstract class DatabaseConfig {
  /** PostgreSQL URL the application connects with; undefined means the embedded database. */
  abstract url?: string;
  /** PostgreSQL URL of the tables' owner, for migrations; undefined means `url`. */
  abstract migrationUrl?: string;
  /** Where the embedded database keeps its files. */
  abstract dataDir: string;
  abstract migrateOnStart: boolean;
  abstract poolSize: number;
}

export function readDatabaseConfig(env: EnvReader): DatabaseConfig {
  const protocols = ['postgres:', 'postgresql:'];
  const url = env.url('DATABASE_URL', { protocols });
  const migrationUrl = env.url('MIGRATION_DATABASE_URL', { protocols });
  if (migrationUrl !== undefined && !env.has('DATABASE_URL')) {
    env.problem(
      'MIGRATION_DATABASE_URL',
      'needs DATABASE_URL as well (the embedded database has a single user and takes neither)',
    );
  }
  return {
    url,
    migrationUrl,
    dataDir: env.string('DATA_DIR', '.data'),
    migrateOnStart: env.boolean('MIGRATE_ON_START', true),
    poolSize: env.integer('DATABASE_POOL_SIZE', 10, { min: 1, max: 100 }),
  };
}
