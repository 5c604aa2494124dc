import type { EnvReader } from './env-reader.js';

export interface DatabaseConfig {
  /** PostgreSQL URL; undefined means the embedded database. */
  url?: string;
  /** Where the embedded database keeps its files. */
  dataDir: string;
  migrateOnStart: boolean;
  poolSize: number;
}

export function readDatabaseConfig(env: EnvReader): DatabaseConfig {
  return {
    url: env.url('DATABASE_URL', { protocols: ['postgres:', 'postgresql:'] }),
    dataDir: env.string('DATA_DIR', '.data'),
    migrateOnStart: env.boolean('MIGRATE_ON_START', true),
    poolSize: env.integer('DATABASE_POOL_SIZE', 10, { min: 1, max: 100 }),
  };
}
